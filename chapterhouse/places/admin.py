from django.contrib import admin

from chapterhouse.lib.admin import ModelAdmin

from .models import Place


@admin.register(Place)
class PlaceAdmin(ModelAdmin):
    list_display = ["name", "kind", "code", "country_code", "parent", "population"]
    list_filter = ["kind"]
    search_fields = ["name", "ascii_name", "code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    show_full_result_count = False
