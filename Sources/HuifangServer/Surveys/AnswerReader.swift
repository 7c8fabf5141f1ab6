import Fluent
import HuifangCore

/// Stored survey answers as people read them: under their indicator, or the text of the question they answered
/// (never its key, `q5`), with the value in words (满意, 5/5, 是).
struct AnswerReader {
    let language: Language
    /// The questions' texts by `"surveyID key"`, from the survey versions answered.
    let questions: [String: String]

    /// The reader for `answers`, with the texts of the survey versions they answered.
    static func load(for answers: [SurveyAnswer], language: Language, on db: any Database) async throws
        -> AnswerReader
    {
        let ids = Set(answers.map(\.surveyID))
        var texts: [String: String] = [:]
        if !ids.isEmpty {
            for survey in try await SurveyRecord.query(on: db).filter(\.$id ~~ ids).all() {
                for question in (try? survey.definition.questions) ?? [] {
                    texts["\(survey.id!) \(question.key)"] = question.text
                }
            }
        }
        return AnswerReader(language: language, questions: texts)
    }

    /// The text of the question `answer` answered, when its survey version still has it.
    func question(_ answer: SurveyAnswer) -> String? { questions["\(answer.surveyID) \(answer.questionKey)"] }

    /// What the answer is shown under (服务态度; 您还有什么意见或建议？).
    func heading(_ answer: SurveyAnswer) -> String {
        AnswerHeading.text(indicator: answer.indicator, question: question(answer), key: answer.questionKey)
    }

    /// The answer's value in words.
    func value(_ answer: SurveyAnswer) -> String {
        switch QuestionType(rawValue: answer.type) {
        case .scale5: "\(answer.value)/5"
        case .nps: "\(answer.value)/10"
        case .satisfaction3: Catalogue.text("survey.level." + answer.value, language)
        case .yesNo: Catalogue.text(answer.value == "yes" ? "common.yes" : "common.no", language)
        default: answer.value
        }
    }

    /// The answers on one line, `总体满意度：满意；您还有什么意见或建议？：送货很快`.
    func line(_ answers: [SurveyAnswer]) -> String {
        answers.map { heading($0) + (language == .zh ? "：" : ": ") + value($0) }.joined(
            separator: language == .zh ? "；" : "; ")
    }
}
