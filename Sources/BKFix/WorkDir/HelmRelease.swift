import Foundation

/// One release as the work dir's helmfiles define it: where it is, and which values files feed it.
public struct HelmRelease: Sendable, Equatable {
    public var name: String
    /// The helmfile that defines it, relative to the work dir (`base-storage.yaml.gotmpl`).
    public var helmfile: String
    /// The namespace with `{{ .Values.namespace }}` resolved from the environment values.
    public var namespace: String
    /// The values files in helmfile order, relative to the work dir, without the custom-values file.
    public var valuesFiles: [String]
    /// The custom-values file operators override in (`environments/default/X-custom-values.yaml.gotmpl`).
    public var customValuesFile: String?
    public var labels: [String: String]

    public init(
        name: String, helmfile: String, namespace: String, valuesFiles: [String], customValuesFile: String?,
        labels: [String: String] = [:]
    ) {
        self.name = name
        self.helmfile = helmfile
        self.namespace = namespace
        self.valuesFiles = valuesFiles
        self.customValuesFile = customValuesFile
        self.labels = labels
    }
}
