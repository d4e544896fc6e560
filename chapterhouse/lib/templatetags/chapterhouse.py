from typing import Any

from django import template
from django.utils.safestring import SafeString

from chapterhouse.lib import pagecache
from chapterhouse.lib.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def personal(context: template.Context, name: str, **args: Any) -> SafeString:
    """A personal part of the page (lib.pagecache): the hole `name`, filled for this
    visitor from the request and `args` (plain values: ids, addresses)."""
    return pagecache.hole(context.get("request"), name, args)
