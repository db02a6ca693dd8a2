resource "kubernetes_role_v1" "alcide_pare_diana_67cd2b907dafbd83" {
  metadata {
    name      = "pare:diana"
    namespace = "alcide"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/evidence"  = "[{\"rule\":0,\"actions\":[{\"action\":\"create configmaps\",\"count\":1,\"first\":\"2020-04-08T16:32:36Z\",\"last\":\"2020-04-08T16:32:36Z\",\"samples\":[\"k8s:1a7c78f0-bc92-44ff-bb50-87f61241db73\"]},{\"action\":\"create pods\",\"count\":1,\"first\":\"2020-04-08T16:32:36Z\",\"last\":\"2020-04-08T16:32:36Z\",\"samples\":[\"k8s:c38408b4-23f7-4942-bcd7-d9019ae2e8ea\"]},{\"action\":\"create secrets\",\"count\":1,\"first\":\"2020-04-08T16:32:36Z\",\"last\":\"2020-04-08T16:32:36Z\",\"samples\":[\"k8s:b46bced3-5c91-4159-9657-f7b4322b884e\"]}]}]"
      "pare.dev/principal" = "diana"
      "pare.dev/window"    = "2020-04-08T16:32:36Z/2020-04-08T16:32:36Z"
    }
  }

  rule {
    api_groups = [""]
    resources  = ["configmaps", "pods", "secrets"]
    verbs      = ["create"]
  }
}

resource "kubernetes_role_binding_v1" "alcide_pare_diana_67cd2b907dafbd83" {
  metadata {
    name      = "pare:diana"
    namespace = "alcide"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/principal" = "diana"
      "pare.dev/window"    = "2020-04-08T16:32:36Z/2020-04-08T16:32:36Z"
    }
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.alcide_pare_diana_67cd2b907dafbd83.metadata[0].name
  }

  subject {
    kind      = "User"
    name      = "diana"
    namespace = ""
    api_group = "rbac.authorization.k8s.io"
  }
}
