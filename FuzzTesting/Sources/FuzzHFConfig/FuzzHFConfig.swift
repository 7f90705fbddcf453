import IngotFamilies
import IngotFormat

/// libFuzzer entry for model configs: the input is JSON text, read as
/// - a Hugging Face config.json: `ModelFamilies.config(fromHF:)` (the family its `model_type` names) and every
///   family's own `config(fromHF:)`, whatever the `model_type` says;
/// - an `ingot.config` object of every family in `ModelFamilies.all` (`ModelConfig(family:config:hfConfig:)`, with
///   the object's `ingot.hf_config` member as the Hugging Face config when it has one), and as a whole metadata
///   object (`ModelConfig(metadata:)`).
/// Errors are the expected outcome; a trap is the bug. A config that reads succeeds must also survive its own round
/// trip: its canonical `json` reads back to an equal config (a precondition, so a violation is a crash).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHFConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let root = try? JSONParser.parse(UnsafeRawBufferPointer(start: data, count: size)),
        let object = root.objectValue
    else { return 0 }
    var read: [ModelConfig] = []
    if let c = try? ModelFamilies.config(fromHF: object) { read.append(c) }
    for family in ModelFamilies.all {
        if let c = try? family.config(fromHF: object) { read.append(c) }
        if let c = try? ModelConfig(family: family.name, config: object, hfConfig: object["ingot.hf_config"]?.objectValue) {
            read.append(c)
        }
    }
    if let c = try? ModelConfig(metadata: object) { read.append(c) }
    for c in read {
        let again = try? ModelConfig(family: c.family, config: c.json)
        precondition(again == c, "a config read from \(object) does not survive its canonical json \(c.json)")
    }
    return 0
}
