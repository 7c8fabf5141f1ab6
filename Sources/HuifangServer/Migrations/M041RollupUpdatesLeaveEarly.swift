/// On PostgreSQL an update that changes none of the counted columns leaves the roll-up triggers at once: recording
/// an attempt changes only the task's count and callback, and ran every statement of two triggers over no rows.
struct M041RollupUpdatesLeaveEarly: RollupTriggersRewrite {}
