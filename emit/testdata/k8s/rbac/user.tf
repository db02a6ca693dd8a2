resource "kubernetes_role_v1" "dev_pare_alice_example_com_e916133aa9a56c16" {
  metadata {
    name      = "pare:alice@example.com"
    namespace = "dev"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/evidence"  = "[{\"rule\":0,\"actions\":[{\"action\":\"get deployments.apps\",\"count\":5,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:d1\"]},{\"action\":\"patch deployments.apps/scale\",\"count\":1,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:d2\"]}]}]"
      "pare.dev/principal" = "alice@example.com"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  rule {
    api_groups = ["apps"]
    resources  = ["deployments", "deployments/scale"]
    verbs      = ["get", "patch"]
  }
}

resource "kubernetes_role_binding_v1" "dev_pare_alice_example_com_e916133aa9a56c16" {
  metadata {
    name      = "pare:alice@example.com"
    namespace = "dev"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/principal" = "alice@example.com"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.dev_pare_alice_example_com_e916133aa9a56c16.metadata[0].name
  }

  subject {
    kind      = "User"
    name      = "alice@example.com"
    namespace = ""
    api_group = "rbac.authorization.k8s.io"
  }
}

resource "kubernetes_role_v1" "staging_pare_alice_example_com_00b38b6a08d9c069" {
  metadata {
    name      = "pare:alice@example.com"
    namespace = "staging"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/evidence"  = "[{\"rule\":0,\"actions\":[{\"action\":\"delete pods\",\"count\":2,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:s1\"]}]}]"
      "pare.dev/principal" = "alice@example.com"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  rule {
    api_groups     = [""]
    resources      = ["pods"]
    resource_names = ["web-0", "web-1"]
    verbs          = ["delete"]
  }
}

resource "kubernetes_role_binding_v1" "staging_pare_alice_example_com_00b38b6a08d9c069" {
  metadata {
    name      = "pare:alice@example.com"
    namespace = "staging"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/principal" = "alice@example.com"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.staging_pare_alice_example_com_00b38b6a08d9c069.metadata[0].name
  }

  subject {
    kind      = "User"
    name      = "alice@example.com"
    namespace = ""
    api_group = "rbac.authorization.k8s.io"
  }
}

resource "kubernetes_cluster_role_v1" "pare_alice_example_com_f2baba44552c3b30" {
  metadata {
    name = "pare:alice@example.com"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/evidence"  = "[{\"rule\":0,\"actions\":[{\"action\":\"get nodes\",\"count\":7,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:n1\"]},{\"action\":\"get nodes/proxy\",\"count\":1,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:n2\"]}]},{\"rule\":1,\"actions\":[{\"action\":\"list deployments.apps\",\"count\":9,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:l1\"]}]},{\"rule\":2,\"actions\":[{\"action\":\"get /healthz\",\"count\":100,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:h1\"]},{\"action\":\"get /metrics\",\"count\":4,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:m1\"]}]}]"
      "pare.dev/principal" = "alice@example.com"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  rule {
    api_groups     = [""]
    resources      = ["nodes", "nodes/proxy"]
    resource_names = ["node-1"]
    verbs          = ["get"]
  }

  rule {
    api_groups = ["apps"]
    resources  = ["deployments"]
    verbs      = ["list"]
  }

  rule {
    non_resource_urls = ["/healthz", "/metrics"]
    verbs             = ["get"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "pare_alice_example_com_f2baba44552c3b30" {
  metadata {
    name = "pare:alice@example.com"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/principal" = "alice@example.com"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.pare_alice_example_com_f2baba44552c3b30.metadata[0].name
  }

  subject {
    kind      = "User"
    name      = "alice@example.com"
    namespace = ""
    api_group = "rbac.authorization.k8s.io"
  }
}
