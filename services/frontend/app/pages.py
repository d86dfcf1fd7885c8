"""Server-rendered HTML. Every value that did not come from this file goes through `e()`."""
import html
from typing import Any, Dict, Iterable, List, Optional

FIELD_ORDER = ("Name", "Status", "Notes")


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _layout(title: str, body: str, user_email: Optional[str] = None) -> str:
    nav = ""
    if user_email:
        nav = (f'<nav>Signed in as <strong id="user-email">{e(user_email)}</strong> '
               '<form method="post" action="/logout" class="inline"><button type="submit">Log out</button></form></nav>')
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · PyAirtable</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }}
nav {{ float: right; }} form.inline {{ display: inline; }}
label {{ display: block; margin: .6rem 0 .2rem; }} input {{ padding: .35rem; width: 20rem; max-width: 100%; }}
button {{ margin-top: .8rem; padding: .35rem .9rem; }}
.error {{ color: #a00; }} .notice {{ color: #060; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 1rem; }}
th, td {{ border: 1px solid #ccc; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
td.notes {{ white-space: pre-wrap; }}
</style>
</head>
<body>
{nav}
<h1>{e(title)}</h1>
{body}
</body>
</html>
"""


def _message(error: Optional[str], notice: Optional[str]) -> str:
    parts = []
    if error:
        parts.append(f'<p class="error" role="alert">{e(error)}</p>')
    if notice:
        parts.append(f'<p class="notice">{e(notice)}</p>')
    return "\n".join(parts)


def login(error: Optional[str] = None, notice: Optional[str] = None, email: str = "") -> str:
    body = f"""{_message(error, notice)}
<form method="post" action="/login" id="login-form">
<label for="email">Email</label><input id="email" name="email" type="email" required value="{e(email)}" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">Log in</button>
</form>
<p>No account? <a href="/register">Register</a></p>"""
    return _layout("Log in", body)


def register(error: Optional[str] = None, email: str = "", name: str = "") -> str:
    body = f"""{_message(error, None)}
<form method="post" action="/register" id="register-form">
<label for="name">Name</label><input id="name" name="name" type="text" value="{e(name)}" autocomplete="name">
<label for="email">Email</label><input id="email" name="email" type="email" required value="{e(email)}" autocomplete="username">
<label for="password">Password (at least 8 characters)</label><input id="password" name="password" type="password" required minlength="8" autocomplete="new-password">
<button type="submit">Register</button>
</form>
<p>Already registered? <a href="/login">Log in</a></p>"""
    return _layout("Register", body)


def _columns(records: Iterable[Dict[str, Any]]) -> List[str]:
    names = {name for record in records for name in (record.get("fields") or {})}
    return [n for n in FIELD_ORDER if n in names] + sorted(names - set(FIELD_ORDER))


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(e(v) for v in value)
    return e(value)


def dashboard(user_email: str, table: str, records: List[Dict[str, Any]], error: Optional[str] = None) -> str:
    columns = _columns(records)
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    rows = []
    for record in records:
        fields = record.get("fields") or {}
        cells = "".join(
            f'<td class="{"notes" if c == "Notes" else "field"}">{_cell(fields.get(c))}</td>' for c in columns)
        rows.append(f'<tr class="record" data-id="{e(record.get("id"))}"><td class="id">{e(record.get("id"))}</td>{cells}</tr>')
    table_html = (f'<table id="records"><thead><tr><th>id</th>{head}</tr></thead>'
                  f'<tbody>{"".join(rows)}</tbody></table>')
    summary = f'<p id="record-count">{len(records)} record(s) in <strong>{e(table)}</strong></p>'
    return _layout("Dashboard", f"{_message(error, None)}\n{summary}\n{table_html}", user_email)


def error_page(title: str, message: str) -> str:
    return _layout(title, _message(message, None) + '\n<p><a href="/">Back</a></p>')
