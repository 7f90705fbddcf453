/// Caps the pickle machine enforces, so that a hostile pickle costs bounded memory and time. Real state-dict
/// pickles are far below all of them (a 70B-parameter model's data.pkl is a few hundred KB).
public struct PickleLimits: Sendable, Equatable {
    /// Bytes of pickle read at all.
    public var maxBytes: Int
    /// Items on the stack at once.
    public var maxStack: Int
    /// MARKs open at once.
    public var maxMarks: Int
    /// Nesting depth of tuples (the only values that nest by value) and of containers when a state dict is walked.
    public var maxDepth: Int
    /// Memo entries.
    public var maxMemo: Int
    /// Lists, dicts, sets, tensors and storages created.
    public var maxObjects: Int

    public init(maxBytes: Int = 256 << 20, maxStack: Int = 1 << 20, maxMarks: Int = 1024, maxDepth: Int = 64,
                maxMemo: Int = 1 << 22, maxObjects: Int = 1 << 22) {
        self.maxBytes = maxBytes
        self.maxStack = maxStack
        self.maxMarks = maxMarks
        self.maxDepth = maxDepth
        self.maxMemo = maxMemo
        self.maxObjects = maxObjects
    }
}
