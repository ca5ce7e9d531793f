# ACME's gateway policy: an example of a custom warden policy.
#
# Entry point: data.acme.gateway.decision (policy.entrypoint: acme/gateway/decision).
# Settings come from data.json (data.acme.settings): who the admins are, the business hours,
# and per-tool argument limits. The call is allowed only when no deny rule fires; every deny
# carries the reason the caller sees in WARDEN_POLICY_DENIED.
package acme.gateway

import rego.v1

settings := data.acme.settings

default decision := {"allow": false, "reason": "denied by default: no decision was reached"}

decision := {"allow": true, "reason": "allowed by the acme policy"} if count(deny) == 0

decision := {"allow": false, "reason": concat("; ", sort(deny))} if count(deny) > 0

tool_name := input.tool.name

deny contains "no agent identity" if not input.agent.id

# --- destructive tools: admins only, and only in business hours -------------------------

is_delete if startswith(tool_name, "delete_")

deny contains sprintf("%s is for admins only and %s is not in the admins list", [tool_name, user_name]) if {
	is_delete
	not user_is_admin
}

default user_name := "a caller without a user"

user_name := input.user.sub

user_is_admin if input.user.sub in settings.admins

# tools/list asks without arguments and at listing time, so hours only apply to real calls.
deny contains sprintf("%s is allowed only %v:00-%v:00 %s on %s", [tool_name, hours.start_hour, hours.end_hour, hours.timezone, concat(", ", hours.days)]) if {
	is_delete
	input.request.method == "tools/call"
	not in_business_hours
}

hours := settings.business_hours

in_business_hours if {
	ns := time.parse_rfc3339_ns(input.request.time)
	[hour, _, _] := time.clock([ns, hours.timezone])
	hour >= hours.start_hour
	hour < hours.end_hour
	time.weekday([ns, hours.timezone]) in hours.days
}

# --- argument limits per tool ------------------------------------------------------------

deny contains sprintf("argument %s of %s is %v characters long, the limit is %v", [arg, tool_name, count(value), limit.max_length]) if {
	some arg, limit in settings.argument_limits[tool_name]
	value := input.arguments[arg]
	is_string(value)
	count(value) > limit.max_length
}

deny contains sprintf("argument %s of %s has %v items, the limit is %v", [arg, tool_name, count(value), limit.max_items]) if {
	some arg, limit in settings.argument_limits[tool_name]
	value := input.arguments[arg]
	is_array(value)
	count(value) > limit.max_items
}
