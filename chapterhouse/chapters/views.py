from django.http import HttpRequest, HttpResponse


def international(request: HttpRequest) -> HttpResponse:
    return HttpResponse("International")


def mine(request: HttpRequest) -> HttpResponse:
    return HttpResponse("mine")


def world_map(request: HttpRequest) -> HttpResponse:
    return HttpResponse("map")


def detail(request: HttpRequest, url_path: str) -> HttpResponse:
    return HttpResponse(url_path)
