from django.apps import AppConfig


class IndsatsConfig(AppConfig):
    name = "indsats"
    verbose_name = "Indsatser"
