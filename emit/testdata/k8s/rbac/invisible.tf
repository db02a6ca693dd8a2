resource "kubernetes_cluster_role_v1" "pare_mallory_txt_exe___zwj___del___ctl__tab__nbsp__404539d8cd696772" {
  metadata {
    name = "pare:mallory\u202etxt.exe \u200d zwj \u007f del \u0001 ctl \ttab \u00a0nbsp\r"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/evidence"  = "[{\"rule\":0,\"actions\":[{\"action\":\"get /x\\u202e\\u200d\",\"count\":1,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:\\u202eeid\\u001b[31m\"]}]}]"
      "pare.dev/principal" = "mallory\u202etxt.exe \u200d zwj \u007f del \u0001 ctl \ttab \u00a0nbsp\r"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  rule {
    non_resource_urls = ["/x\u202e\u200d"]
    verbs             = ["get"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "pare_mallory_txt_exe___zwj___del___ctl__tab__nbsp__404539d8cd696772" {
  metadata {
    name = "pare:mallory\u202etxt.exe \u200d zwj \u007f del \u0001 ctl \ttab \u00a0nbsp\r"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/principal" = "mallory\u202etxt.exe \u200d zwj \u007f del \u0001 ctl \ttab \u00a0nbsp\r"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.pare_mallory_txt_exe___zwj___del___ctl__tab__nbsp__404539d8cd696772.metadata[0].name
  }

  subject {
    kind      = "User"
    name      = "mallory\u202etxt.exe \u200d zwj \u007f del \u0001 ctl \ttab \u00a0nbsp\r"
    namespace = ""
    api_group = "rbac.authorization.k8s.io"
  }
}
