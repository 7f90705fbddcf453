import IngotFormat
import IngotInterop

/// `ingot check`: opening proves the layout; then every tensor is decoded and, where the format has checksums,
/// compared with its XXH3-64. Throws at the first bad tensor.
enum FileChecker {
    static func check(path: String) throws -> String {
        let source = try openModelSource(path: path)
        let all = source.descriptors
        var progress = Progress(total: all.count, label: "check")
        defer { progress.finish() }
        if let f = source as? IngotFile {
            var bytes = 0
            for (i, t) in f.tensors.enumerated() {
                progress.update(i + 1, t.name)
                bytes += try f.verify(t).count
            }
            return "\(path): OK — layout valid, \(all.count) tensor checksums match (\(Fmt.bytes(bytes)) verified)"
        }
        for (i, d) in all.enumerated() {
            progress.update(i + 1, d.name)
            _ = try source.load(d.name)
        }
        let integrity = source.formatName == "npz" ? "CRC-32 of every member verified" : "\(source.formatName) has no checksums"
        return "\(path): OK — layout valid, \(all.count) tensors readable (\(integrity))"
    }
}
