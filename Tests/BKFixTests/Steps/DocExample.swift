/// The custom-values file of BlueKing's FAQ "调整 pod 的资源配额": bk-elastic's limits doubled.
enum DocExample {
    static let elasticsearchCustomValues = """
        master:
          resources:
            limits:
              cpu: 2000m
              memory: 2048Mi
        data:
          resources:
            limits:
              cpu: 2000m
              memory: 4096Mi
        coordinating:
          resources:
            limits:
              cpu: 2000m
              memory: 1024Mi

        """
}
