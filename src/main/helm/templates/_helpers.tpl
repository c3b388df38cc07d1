{{/*
Helpers of the agent-sandbox chart. The chart's objects are generated from target/kubernetes/kubernetes.yml (see
"Helm chart" in application.properties); these helpers render the parts that values change.
*/}}

{{/* The platform image (controller and router): registry/repository:tag. */}}
{{- define "agent-sandbox.image" -}}
{{- $repository := .Values.image.repository -}}
{{- with .Values.image.registry }}{{ $repository = printf "%s/%s" . $repository }}{{ end -}}
{{- printf "%s:%s" $repository (toString .Values.image.tag) -}}
{{- end -}}

{{/* Labels of the objects that only non-default values create, as the generated objects have them. */}}
{{- define "agent-sandbox.labels" -}}
app.kubernetes.io/part-of: agent-sandbox
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Node selector, tolerations and affinity of a pod spec, from a component's values; nothing when unset. */}}
{{- define "agent-sandbox.podScheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The router's environment: router.env (as generated) with the shared token's Secret from router.auth.sharedToken, or
without it, and the settings of the other authentication modes and of the namespaces served (docs/router.md). The
combinations that would leave the router unable to start, or open without saying so, are refused here.
*/}}
{{- define "agent-sandbox.routerEnv" -}}
{{- $auth := .Values.router.auth -}}
{{- if not (or $auth.sharedToken.enabled $auth.ownerTokens.enabled $auth.allowUnauthenticated) -}}
{{- fail "router.auth: no authentication is enabled. Enable router.auth.sharedToken or router.auth.ownerTokens, or set router.auth.allowUnauthenticated=true to let anyone who reaches the router use every sandbox" -}}
{{- end -}}
{{- if and $auth.allowUnauthenticated (or $auth.sharedToken.enabled $auth.ownerTokens.enabled) -}}
{{- fail "router.auth.allowUnauthenticated=true runs the router without authentication, but router.auth.sharedToken or router.auth.ownerTokens is enabled too: disable them, or leave allowUnauthenticated false" -}}
{{- end -}}
{{- if and .Values.router.allNamespaces .Values.router.namespaces -}}
{{- fail "router.namespaces lists namespaces while router.allNamespaces=true: set router.allNamespaces=false to serve only those" -}}
{{- end -}}
{{- if and (not .Values.router.allNamespaces) (not .Values.router.namespaces) -}}
{{- fail "router.allNamespaces=false: list the namespaces the router serves in router.namespaces" -}}
{{- end -}}
{{- $env := list -}}
{{- range .Values.router.env -}}
{{- if ne .name "ROUTER_AUTH_TOKEN" -}}
{{- $env = append $env . -}}
{{- else if $auth.sharedToken.enabled -}}
{{- $secret := dict "name" $auth.sharedToken.secretName "key" $auth.sharedToken.secretKey -}}
{{- $env = append $env (dict "name" "ROUTER_AUTH_TOKEN" "valueFrom" (dict "secretKeyRef" $secret)) -}}
{{- end -}}
{{- end -}}
{{- if $auth.ownerTokens.enabled -}}
{{- $env = append $env (dict "name" "SANDBOX_ROUTER_OWNER_TOKENS_ENABLED" "value" "true") -}}
{{- end -}}
{{- if $auth.allowUnauthenticated -}}
{{- $env = append $env (dict "name" "ALLOW_UNAUTHENTICATED_ROUTER" "value" "true") -}}
{{- end -}}
{{- if not .Values.router.allNamespaces -}}
{{- $env = append $env (dict "name" "SANDBOX_ROUTER_NAMESPACES" "value" (join "," .Values.router.namespaces)) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}
