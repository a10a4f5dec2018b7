from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from klassifikation.models import Klasse


def soeg(request: HttpRequest) -> HttpResponse:
    return render(request, "klassifikation/soeg.html", {})


def klasse(request: HttpRequest, pk) -> HttpResponse:
    return render(request, "klassifikation/klasse.html", {"klasse": get_object_or_404(Klasse, pk=pk)})
