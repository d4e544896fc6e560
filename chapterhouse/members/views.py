from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "members/home.html")


def profile(request: HttpRequest, public_id: str) -> HttpResponse:
    return HttpResponse("profile")
