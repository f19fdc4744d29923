"""Employees (and who is on call) and contacts: record pages over the API's models."""

from __future__ import annotations

from runtime.serve.console.forms import Field
from runtime.serve.console.pages.records import Input, RecordPages, record_pages
from tenancy.models import ContactFields, ContactUpdate, EmployeeFields, EmployeeUpdate

employees = record_pages(RecordPages(
    segment="employees", title="Employees", noun="employee",
    collection_of=lambda store: store.employees,
    create_model=EmployeeFields, update_model=EmployeeUpdate,
    inputs=[Input(Field("name"), "Name"), Input(Field("role"), "Role"),
            Input(Field("phone"), "Phone", "tel", "E.164, such as +12395550100"),
            Input(Field("email", "optional"), "Email", "email"),
            Input(Field("isOnCall", "bool"), "On call (takes emergencies and transfers)",
                  "checkbox")],
    columns=[("name", "Name"), ("role", "Role"), ("phone", "Phone"), ("isOnCall", "On call")],
), order=36)

contacts = record_pages(RecordPages(
    segment="contacts", title="Contacts", noun="contact",
    collection_of=lambda store: store.contacts,
    create_model=ContactFields, update_model=ContactUpdate,
    inputs=[Input(Field("name"), "Name"),
            Input(Field("phone"), "Phone", "tel", "E.164, such as +12395550100"),
            Input(Field("email", "optional"), "Email", "email"),
            Input(Field("address"), "Address"), Input(Field("notes"), "Notes", "textarea")],
    columns=[("name", "Name"), ("phone", "Phone"), ("callCount", "Calls"),
             ("lastCallAt", "Last call")],
), order=38)
