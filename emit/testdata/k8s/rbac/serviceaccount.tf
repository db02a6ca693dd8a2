resource "kubernetes_role_v1" "shop_pare_system_serviceaccount_shop_cart_d7394f5d9aad43be" {
  metadata {
    name      = "pare:system:serviceaccount:shop:cart"
    namespace = "shop"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/evidence"  = "[{\"rule\":0,\"actions\":[{\"action\":\"get configmaps\",\"count\":12,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:0b0e3c7e-0000-4000-8000-000000000001\"]}]},{\"rule\":1,\"actions\":[{\"action\":\"get pods\",\"count\":3,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:a\"]},{\"action\":\"list pods\",\"count\":40,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\",\"samples\":[\"k8s:b\",\"k8s:c\"]},{\"action\":\"watch pods\",\"count\":2,\"first\":\"2026-01-02T02:04:05Z\",\"last\":\"2026-03-30T12:00:00Z\"}]},{\"rule\":2,\"actions\":[{\"action\":\"create pods/exec\",\"count\":1,\"inferred\":true,\"denied\":true}]}]"
      "pare.dev/principal" = "system:serviceaccount:shop:cart"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  rule {
    api_groups     = [""]
    resources      = ["configmaps"]
    resource_names = ["cart-config"]
    verbs          = ["get"]
  }

  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["get", "list", "watch"]
  }

  rule {
    api_groups = [""]
    resources  = ["pods/exec"]
    verbs      = ["create"]
  }
}

resource "kubernetes_role_binding_v1" "shop_pare_system_serviceaccount_shop_cart_d7394f5d9aad43be" {
  metadata {
    name      = "pare:system:serviceaccount:shop:cart"
    namespace = "shop"
    labels = {
      "app.kubernetes.io/managed-by" = "pare"
    }
    annotations = {
      "pare.dev/principal" = "system:serviceaccount:shop:cart"
      "pare.dev/window"    = "2026-01-01T00:00:00Z/2026-03-31T23:59:59Z"
    }
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.shop_pare_system_serviceaccount_shop_cart_d7394f5d9aad43be.metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = "cart"
    namespace = "shop"
    api_group = ""
  }
}
