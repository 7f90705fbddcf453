import IngotFormat

/// Typed reads of a Hugging Face config.json, shared by the family files: errors name `config.json.<key>`.
public struct HFConfigReader {
    public let r: ConfigReader

    public init(_ hf: JSONObject) {
        r = ConfigReader(hf, path: "config.json")
    }

    /// Rotary base and scaling as transformers 5 (`rope_parameters`, theta inside) or 4 (`rope_theta` +
    /// `rope_scaling`) writes them.
    public func rope(defaultTheta: Double = 10000) throws(ModelConfigError) -> (theta: Double, scaling: RopeScaling?) {
        if let p = try r.object("rope_parameters") {
            let pr = ConfigReader(p, path: r.key("rope_parameters"))
            let inner = try pr.double("rope_theta"), outer = try r.double("rope_theta")
            let theta = inner ?? outer ?? defaultTheta
            return (theta, try RopeScaling.parse(p, path: pr.path))
        }
        let theta = try r.double("rope_theta") ?? defaultTheta
        guard let s = try r.object("rope_scaling") else { return (theta, nil) }
        return (theta, try RopeScaling.parse(s, path: r.key("rope_scaling")))
    }

    /// An activation by its Hugging Face name.
    public func activation(_ key: String, default d: Activation) throws(ModelConfigError) -> Activation {
        guard let s = try r.string(key) else { return d }
        guard let a = Activation(name: s) else { throw .unsupported(key: r.key(key), value: "\"\(s)\"") }
        return a
    }

    /// A value carried through untouched (token ids, the declared dtype), null when absent.
    public func passThrough(_ keys: String...) -> JSONValue {
        for k in keys { if let v = r.value(k) { return v } }
        return .null
    }
}
