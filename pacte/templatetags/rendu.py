"""`{% une_fois "name" value… %}…{% endune_fois %}`: the enclosed part of a template rendered once
per process and language for the values listed (`pacte.rendu.kept`, #18.2).

The values must determine everything the part shows (a page's reference content: an agenda's
title, a lieu's address…; settings; nothing at all for static text and `{% url %}` links). Never
around anything from the request or the visitor: a CSRF token, the user, a message, the path.
"""

from django import template

from pacte.rendu import kept

register = template.Library()


class UneFoisNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context):
        origin = getattr(self, "origin", None)
        key = (
            "une_fois",
            getattr(origin, "name", ""),
            self.name,
            tuple(v.resolve(context) for v in self.values),
        )
        try:
            hash(key)
        except TypeError:  # a value that cannot name a copy: rendered each time
            return self.nodelist.render(context)
        return kept(key, lambda: self.nodelist.render(context))


@register.tag
def une_fois(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% une_fois %} needs a name: {% une_fois "name" value… %}')
    nodelist = parser.parse(("endune_fois",))
    parser.delete_first_token()
    return UneFoisNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
