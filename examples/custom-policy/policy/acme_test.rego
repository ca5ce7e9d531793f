package acme.gateway_test

import rego.v1

import data.acme.gateway

# Wednesday 2026-11-25, 10:00 in Berlin (09:00 UTC) and 22:00 in Berlin (21:00 UTC).
weekday_morning := "2026-11-25T09:00:00.000Z"

weekday_night := "2026-11-25T21:00:00.000Z"

# Saturday 2026-11-28, 10:00 in Berlin.
saturday_morning := "2026-11-28T09:00:00.000Z"

call(tool, args, user, at) := {
	"version": 1,
	"agent": {"id": "demo", "kind": "dev"},
	"user": {"sub": user},
	"tool": {"name": tool, "upstream": "demo"},
	"arguments": args,
	"request": {"protocol": "mcp", "method": "tools/call", "transport": "streamable-http", "ip": "127.0.0.1", "time": at},
}

test_echo_allowed if {
	gateway.decision.allow with input as call("echo", {"text": "hi"}, "bob@example.com", weekday_night)
}

test_no_agent_denied if {
	d := gateway.decision with input as object.remove(call("echo", {"text": "hi"}, "bob@example.com", weekday_morning), ["agent"])
	not d.allow
	d.reason == "no agent identity"
}

test_admin_deletes_in_business_hours if {
	gateway.decision.allow with input as call("delete_records", {"table": "t"}, "alice@example.com", weekday_morning)
}

test_non_admin_delete_denied if {
	d := gateway.decision with input as call("delete_records", {"table": "t"}, "bob@example.com", weekday_morning)
	not d.allow
	d.reason == "delete_records is for admins only and bob@example.com is not in the admins list"
}

test_admin_delete_at_night_denied if {
	d := gateway.decision with input as call("delete_records", {"table": "t"}, "alice@example.com", weekday_night)
	not d.allow
	contains(d.reason, "allowed only 8:00-18:00 Europe/Berlin")
}

test_admin_delete_on_saturday_denied if {
	not gateway.decision.allow with input as call("delete_records", {"table": "t"}, "alice@example.com", saturday_morning)
}

test_admins_come_from_data if {
	gateway.decision.allow with input as call("delete_records", {"table": "t"}, "bob@example.com", weekday_morning)
		with data.acme.settings.admins as ["bob@example.com"]
}

test_long_echo_denied if {
	d := gateway.decision with input as call("echo", {"text": concat("", [c | some _ in numbers.range(1, 201); c := "x"])}, "bob@example.com", weekday_morning)
	not d.allow
	d.reason == "argument text of echo is 201 characters long, the limit is 200"
}

test_too_many_ids_denied if {
	ids := [sprintf("%d", [i]) | some i in numbers.range(1, 11)]
	d := gateway.decision with input as call("delete_records", {"table": "t", "ids": ids}, "alice@example.com", weekday_morning)
	not d.allow
	d.reason == "argument ids of delete_records has 11 items, the limit is 10"
}
