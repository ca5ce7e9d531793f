# warden's default policy.
#
# Entry point: data.warden.decision (build with -e warden/decision).
# Input: the versioned document described in docs/policy.md (input.version == 1).
# Output: {allow, reason, obligations: {redact, require_approval, limits}}.
#
# The rules read top to bottom as "deny if …"; the call is allowed only when no
# deny rule fires. Each deny carries a reason the caller sees.
package warden

import rego.v1

default decision := {"allow": false, "reason": "denied by default: no decision was reached"}

decision := {"allow": true, "reason": "allowed", "obligations": obligations} if {
	count(deny) == 0
}

decision := {"allow": false, "reason": concat("; ", sort(deny)), "obligations": obligations} if {
	count(deny) > 0
}

tool_name := input.tool.name

# --- who ---------------------------------------------------------------------

deny contains "no agent identity" if {
	not input.agent.id
}

# An agent manifest lists the tools the agent may use (glob patterns, "*" for all).
deny contains sprintf("agent %s may not use tool %s", [input.agent.id, tool_name]) if {
	input.tool
	not tool_matches(manifest_tools, tool_name)
}

deny contains sprintf("agent %s may not use upstream %s", [input.agent.id, input.tool.upstream]) if {
	input.tool
	not tool_matches(manifest_upstreams, input.tool.upstream)
}

# Without a manifest list, everything is allowed at this level.
default manifest_tools := ["*"]

manifest_tools := input.agent.manifest.tools

default manifest_upstreams := ["*"]

manifest_upstreams := input.agent.manifest.upstreams

tool_matches(patterns, name) if {
	some pattern in patterns
	glob.match(pattern, [], name)
}

# --- how fresh ---------------------------------------------------------------

# Tunables come from the data document (policy.dataFile in the config).
default max_token_age_s := 3600

max_token_age_s := data.config.max_token_age_s

deny contains sprintf("token is %v s old, older than the %v s this policy accepts", [input.token.age_s, max_token_age_s]) if {
	input.token.age_s > max_token_age_s
}

# --- why (task scope) ---------------------------------------------------------

# Destructive tools need a task that names them explicitly.
deny contains sprintf("tool %s is destructive and needs a task token that names it", [tool_name]) if {
	input.tool.annotations.destructiveHint == true
	not task_names_tool
}

task_names_tool if {
	some t in input.task.tools
	t.name == tool_name
}

# --- how much -------------------------------------------------------------------

# An optional ceiling on calls of one tool per agent in the history window; set
# data.config.max_calls_per_tool to use it (rate limits belong to the limits stage).
deny contains sprintf("agent %s called %s %v times in the last %v s (limit %v)", [input.agent.id, tool_name, n, input.history.window_s, max_calls]) if {
	max_calls := data.config.max_calls_per_tool
	n := input.history.tools[tool_name]
	n >= max_calls
}

# --- obligations -----------------------------------------------------------------

# Results going to agents without a user behind them never carry raw contact data.
redact contains "EMAIL_ADDRESS" if not input.user.sub

redact contains "PHONE_NUMBER" if not input.user.sub

obligations := {"redact": sort(redact), "require_approval": false}
