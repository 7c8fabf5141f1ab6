/// The one-click acts on a ticket's page: 接单 (take it myself), 开始处理, 告知客户, 关闭 and, for the
/// decisions that need a sentence, 重新打开 / 采纳 / 不采纳. Resolving has its own step (the plan and the
/// compensation go with it) and assigning to someone else its own list.
public enum QuickTicketActions {
    /// The form value of "take": assign the ticket to the signed-in user.
    public static let take = "take"

    public struct Offer: Equatable, Sendable {
        /// The form's `action` value: a `TicketAction` or `take`.
        public let value: String
        public let labelKey: String
        /// The step the ticket usually takes next from its status (shown as the primary button).
        public let isNext: Bool
    }

    /// The acts to offer, in the order a handler meets them, given the actions the state `allowed`.
    public static func offered(allowed: [TicketAction], status: TicketStatus, isMine: Bool) -> [Offer] {
        var offers: [Offer] = []
        if allowed.contains(.assign), !isMine || status == .new {
            offers.append(Offer(value: take, labelKey: "ticket.action.take", isNext: status == .new))
        }
        let next: [TicketStatus: TicketAction] = [.assigned: .start, .resolved: .inform, .informed: .close]
        for action in [TicketAction.start, .inform, .close, .adopt, .decline, .reopen] where allowed.contains(action) {
            offers.append(
                Offer(
                    value: action.rawValue, labelKey: "ticket.action.\(action.rawValue)",
                    isNext: next[status] == action))
        }
        return offers
    }
}
