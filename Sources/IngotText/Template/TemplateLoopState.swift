/// The state behind `loop.*` in one `for` loop.
final class TemplateLoopState {
    let items: [TemplateValue]
    var index0 = 0

    init(items: [TemplateValue]) { self.items = items }

    func attribute(_ name: String) -> TemplateValue? {
        let n = Int64(items.count)
        let i = Int64(index0)
        switch name {
        case "index": return .int(i + 1)
        case "index0": return .int(i)
        case "revindex": return .int(n - i)
        case "revindex0": return .int(n - i - 1)
        case "first": return .bool(i == 0)
        case "last": return .bool(i == n - 1)
        case "length": return .int(n)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index0 > 0 ? items[index0 - 1] : .undefined("there is no previous item")
        case "nextitem": return index0 + 1 < items.count ? items[index0 + 1] : .undefined("there is no next item")
        case "cycle": return .method(.loop(self), "cycle")
        default: return nil
        }
    }
}
