/// What a stored survey answer is shown under on a page or in a file a person reads.
public enum AnswerHeading {
    /// The answer's indicator (服务态度) when it has one, else the text of the question it answered
    /// (您还有什么意见或建议？); its key (`q5`) only when the question can no longer be found.
    public static func text(indicator: String, question: String?, key: String) -> String {
        if !indicator.isEmpty { return indicator }
        if let question, !question.isEmpty { return question }
        return key
    }
}
