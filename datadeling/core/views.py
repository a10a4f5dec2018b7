from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def forside(request: HttpRequest) -> HttpResponse:
    """Show the start page for the logged-in person."""
    return render(request, "forside.html")
