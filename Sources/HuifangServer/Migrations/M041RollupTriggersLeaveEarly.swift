/// A roll-up trigger leaves at once when there is nothing to count: on PostgreSQL an update that changes none of
/// the counted columns (recording an attempt changes only the task's count and callback, and ran every statement
/// of two triggers over no rows), and on both databases a new record that is no declined survey.
struct M041RollupTriggersLeaveEarly: RollupTriggersRewrite {}
