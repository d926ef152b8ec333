"""Links out to the systems a record also lives in (Zuora, Salesforce, GitLab.com), from URL templates
in the settings; a record shows none when its template is not configured."""

from urllib.parse import quote

from admin_app.settings import LINK_PLACEHOLDERS, get_settings


def external_url(setting: str, value: object) -> str:
    """The link `setting`'s template makes for `value` (URL-quoted), or "" when there is no template or
    no value."""
    template = getattr(get_settings(), setting)
    if not template or value in (None, ""):
        return ""
    return template.format(**{LINK_PLACEHOLDERS[setting]: quote(str(value), safe="")})
