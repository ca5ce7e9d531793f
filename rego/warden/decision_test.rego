package warden_test

import rego.v1

import data.warden

base := {
	"version": 1,
	"agent": {"id": "demo", "kind": "anonymous", "manifest": {"name": "demo", "tools": ["*"], "upstreams": ["*"]}},
	"request": {"protocol": "mcp", "method": "tools/call", "transport": "streamable-http", "ip": "127.0.0.1", "time": 1700000000000},
	"token": {"age_s": 10, "scopes": []},
	"history": {"window_s": 3600, "total": 0, "tools": {}, "tasks": {}},
	"tool": {"name": "echo", "upstream": "demo", "annotations": {}},
	"arguments": {"text": "hi"},
}

test_plain_tool_allowed if {
	warden.decision.allow with input as base
}

test_no_agent_denied if {
	d := warden.decision with input as object.remove(base, ["agent"])
	not d.allow
	d.reason == "no agent identity"
}

test_manifest_restricts_tools if {
	inp := object.union(base, {"agent": {"id": "reader", "manifest": {"tools": ["get_*"], "upstreams": ["*"]}}})
	d := warden.decision with input as inp
	not d.allow
	d.reason == "agent reader may not use tool echo"
}

test_manifest_glob_allows if {
	inp := object.union(base, {"agent": {"id": "reader", "manifest": {"tools": ["get_*", "echo"], "upstreams": ["*"]}}})
	warden.decision.allow with input as inp
}

test_destructive_needs_task if {
	inp := object.union(base, {"tool": {"name": "delete_records", "upstream": "demo", "annotations": {"destructiveHint": true}}})
	d := warden.decision with input as inp
	not d.allow
	contains(d.reason, "destructive")
}

test_destructive_allowed_in_task_naming_it if {
	inp := object.union(base, {
		"tool": {"name": "delete_records", "upstream": "demo", "annotations": {"destructiveHint": true}},
		"task": {"id": "t-1", "tools": [{"name": "delete_records"}]},
	})
	warden.decision.allow with input as inp
}

test_stale_token_denied if {
	inp := object.union(base, {"token": {"age_s": 7200, "scopes": []}})
	not warden.decision.allow with input as inp
}

test_history_ceiling if {
	inp := object.union(base, {"history": {"window_s": 3600, "total": 5, "tools": {"echo": 3}, "tasks": {}}})
	d := warden.decision with input as inp with data.config.max_calls_per_tool as 3
	not d.allow
	contains(d.reason, "called echo 3 times")
}

test_redacts_contact_data_without_user if {
	d := warden.decision with input as base
	d.obligations.redact == ["EMAIL_ADDRESS", "PHONE_NUMBER"]
}

test_no_redaction_with_user if {
	inp := object.union(base, {"user": {"sub": "alice"}})
	d := warden.decision with input as inp
	d.obligations.redact == []
}

test_reasons_are_combined_and_sorted if {
	inp := object.union(base, {
		"agent": {"id": "reader", "manifest": {"tools": ["get_*"], "upstreams": ["*"]}},
		"token": {"age_s": 7200, "scopes": []},
	})
	d := warden.decision with input as inp
	d.reason == "agent reader may not use tool echo; token is 7200 s old, older than the 3600 s this policy accepts"
}

test_no_history_ceiling_unless_configured if {
	inp := object.union(base, {"history": {"window_s": 3600, "total": 50000, "tools": {"echo": 50000}, "tasks": {}}})
	warden.decision.allow with input as inp
}
