from django.forms.renderers import TemplatesSetting


class PortailRenderer(TemplatesSetting):
    """Every form field renders through templates/components/field.html (label, help, error, input)."""

    field_template_name = "components/field.html"
