/// Filters over sequences: `map`, `select`/`reject`(`attr`), `sort`, `unique`, `min`/`max`, `sum`, `dictsort`.
extension TemplateRenderer {
    /// jinja2's `make_attrgetter`: `a.b.0` looked up item-first at each step; `default` replaces undefined.
    func path(_ item: TemplateValue, _ attribute: TemplateValue, default fallback: TemplateValue?)
        throws(TemplateError) -> TemplateValue
    {
        let parts: [TemplateValue]
        switch attribute {
        case let .string(s):
            parts = PythonString.split(s, ".", maxSplit: -1).map { p in
                p.allSatisfy { $0.isASCII && $0.isNumber } ? Int64(p).map { .int($0) } ?? .string(p) : .string(p)
            }
        case .int: parts = [attribute]
        default: throw TemplateError(.type, "attribute must be a string or an integer")
        }
        var v = item
        for p in parts {
            v = try self.item(of: v, p)
            if let fallback, !Optional(fallback).isAbsent, v.isUndefined { v = fallback }
        }
        return v
    }

    /// Lower-cases strings for the case-insensitive comparisons of `sort`, `unique`, `min`, `max`, `dictsort`.
    func sortKey(_ v: TemplateValue, caseSensitive: Bool) -> TemplateValue {
        if !caseSensitive, case let .string(s) = v { return .string(s.lowercased()) }
        return v
    }

    /// A stable merge sort whose comparison may throw (Python's `sorted` raises on unorderable items).
    private func stableSorted(_ items: [TemplateValue], _ keys: [TemplateValue], reverse: Bool) throws(TemplateError)
        -> [TemplateValue]
    {
        var order = Array(items.indices)
        var scratch = order
        var width = 1
        while width < order.count {
            var start = 0
            while start < order.count {
                let mid = min(start + width, order.count)
                let end = min(start + 2 * width, order.count)
                var (i, j, k) = (start, mid, start)
                while i < mid || j < end {
                    // Take from the right run only when it is strictly before: ties keep their original order.
                    let takeRight: Bool
                    if i == mid {
                        takeRight = true
                    } else if j == end {
                        takeRight = false
                    } else {
                        let (a, b) = (keys[order[i]], keys[order[j]])
                        takeRight = reverse ? try TemplateValue.less(a, b) : try TemplateValue.less(b, a)
                    }
                    scratch[k] = takeRight ? order[j] : order[i]
                    if takeRight { j += 1 } else { i += 1 }
                    k += 1
                }
                start = end
            }
            swap(&order, &scratch)
            width *= 2
            try step(1 + order.count >> 4)
        }
        return order.map { items[$0] }
    }

    /// The test a `select`-style filter applies: a named jinja2 test with its arguments, or truthiness.
    func predicate(_ args: ArraySlice<TemplateValue>, _ keyword: [(name: String, value: TemplateValue)])
        throws(TemplateError) -> (TemplateValue) throws(TemplateError) -> Bool
    {
        guard let first = args.first else { return { $0.truthy } }
        let name = try first.stringArgument("test name")
        let rest = TemplateCallArguments(Array(args.dropFirst()), keyword: keyword)
        // Looked up per item, as jinja2 does: an unknown test over an empty sequence is no error.
        return { v throws(TemplateError) in
            guard let test = TemplateTest.named(name) else { throw TemplateError(.unsupported, "unsupported test '\(name)'") }
            return try self.test(test, name, v, rest)
        }
    }

    func collectionFilter(_ f: TemplateFilter, _ name: String, _ value: TemplateValue, _ args: TemplateCallArguments)
        throws(TemplateError) -> TemplateValue
    {
        switch f {
        case .map, .select, .reject, .selectattr, .rejectattr, .unique:
            return try generatorFilter(f, name, value, args)
        case .sort, .min, .max:
            let names = f == .sort ? ["reverse", "case_sensitive", "attribute"] : ["case_sensitive", "attribute"]
            var b = try args.bind(names, name)
            let reverse = f == .sort ? (b.removeFirst()?.truthy ?? false) : false
            let caseSensitive = b[0]?.truthy ?? false
            let items = try value.iterate()
            var keys: [TemplateValue] = []
            for item in items {
                let v = b[1].isAbsent ? item : try path(item, b[1] ?? .none, default: nil)
                keys.append(sortKey(v, caseSensitive: caseSensitive))
            }
            switch f {
            case .sort:
                return .list(try stableSorted(items, keys, reverse: reverse))
            default:
                guard var best = items.indices.first else {
                    return .undefined("No aggregated item, sequence was empty.")
                }
                for i in items.indices.dropFirst() {
                    let better = f == .min ? try TemplateValue.less(keys[i], keys[best]) : try TemplateValue.less(keys[best], keys[i])
                    if better { best = i }
                }
                return items[best]
            }
        case .sum:
            let b = try args.bind(["attribute", "start"], name)
            var total = b[1] ?? .int(0)
            for item in try value.iterate() {
                let v = b[0].isAbsent ? item : try path(item, b[0] ?? .none, default: nil)
                if case .string = v { throw TemplateError(.type, "sum() can't sum strings") }
                total = try binary(.add, total, v)
            }
            return total
        case .dictsort:
            let b = try args.bind(["case_sensitive", "by", "reverse"], name)
            guard case let .dict(d) = value else { throw TemplateError(.type, "dictsort needs a mapping") }
            let byValue = try b[1]?.str() == "value"
            let pairs: [TemplateValue] = d.pairs.map { .tuple([.string($0.0), $0.1]) }
            let keys = d.pairs.map { sortKey(byValue ? $0.1 : .string($0.0), caseSensitive: b[0]?.truthy ?? false) }
            return .list(try stableSorted(pairs, keys, reverse: b[2]?.truthy ?? false))
        default:
            throw TemplateError(.unsupported, "unsupported filter '\(name)'")
        }
    }
}
