"""Processing of the MOX inbox: OIO objects mapped to service calls (`oio`), one message
applied in one transaction (`anvend`), and the order and claiming of messages (`koe`)."""
