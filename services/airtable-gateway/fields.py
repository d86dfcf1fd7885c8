"""Field types the gateway accepts, and checking a record's values against its table's fields."""
from typing import Any, Dict, List

TEXT_TYPES = {"singleLineText", "multilineText", "richText", "email", "url", "phoneNumber",
              "singleSelect", "date", "dateTime"}
NUMBER_TYPES = {"number", "currency", "percent", "rating"}
FIELD_TYPES = TEXT_TYPES | NUMBER_TYPES | {"checkbox", "multipleSelects"}


class FieldError(Exception):
    """A client error in Airtable's shape: {"error": {"type": ..., "message": ...}}."""

    def __init__(self, error_type: str, message: str, status: int = 422):
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def _accepts(field_type: str, value: Any) -> bool:
    if field_type in TEXT_TYPES:
        return isinstance(value, str)
    if field_type in NUMBER_TYPES:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if field_type == "checkbox":
        return isinstance(value, bool)
    if field_type == "multipleSelects":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def check_values(values: Any, table_fields: List[Dict[str, Any]]) -> Dict[str, Any]:
    """`values` ({field name: value}) validated against the table; null/empty values are dropped
    (Airtable omits empty cells). Raises FieldError."""
    if not isinstance(values, dict):
        raise FieldError("INVALID_REQUEST_BODY", "fields must be an object")
    by_name = {f["name"]: f for f in table_fields}
    by_id = {f["id"]: f for f in table_fields}
    checked: Dict[str, Any] = {}
    for key, value in values.items():
        field = by_name.get(key) or by_id.get(key)
        if field is None:
            raise FieldError("UNKNOWN_FIELD_NAME", f'Unknown field name: "{key}"')
        if value is None or value == "" or value == []:
            checked[field["name"]] = None
            continue
        if not _accepts(field["type"], value):
            raise FieldError("INVALID_VALUE_FOR_COLUMN",
                             f'Field "{field["name"]}" cannot accept the provided value')
        checked[field["name"]] = value
    return checked


def check_definitions(definitions: Any) -> List[Dict[str, str]]:
    """A new table's `fields`: a non-empty list of {name, type} with unique names and known types."""
    if not isinstance(definitions, list) or not definitions:
        raise FieldError("INVALID_REQUEST_BODY", "fields must be a non-empty list")
    seen = set()
    checked = []
    for definition in definitions:
        if not isinstance(definition, dict) or not isinstance(definition.get("name"), str) \
                or not definition["name"].strip():
            raise FieldError("INVALID_REQUEST_BODY", "every field needs a name")
        name = definition["name"].strip()
        field_type = definition.get("type")
        if field_type not in FIELD_TYPES:
            raise FieldError("INVALID_FIELD_TYPE", f'Unsupported field type for "{name}": {field_type!r}')
        if name.lower() in seen:
            raise FieldError("DUPLICATE_FIELD_NAME", f'Duplicate field name: "{name}"')
        seen.add(name.lower())
        checked.append({"name": name, "type": field_type})
    return checked
