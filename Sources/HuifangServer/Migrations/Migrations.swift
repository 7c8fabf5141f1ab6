import Fluent
import Vapor

extension Application {
    /// Registers every migration in order. Append new ones; never edit a shipped one.
    func registerMigrations() {
        migrations.add(M001CreateDepartments())
        migrations.add(M002CreateUsers())
        migrations.add(M003CreateAPITokens())
        migrations.add(M004CreateTiers())
        migrations.add(M005CreateCustomers())
        migrations.add(M006CreateCustomerTags())
        migrations.add(M007CreateCustomerChanges())
        migrations.add(M008CreateAuditLog())
        migrations.add(M009CreateLoginAttempts())
        migrations.add(SessionRecord.migration)
        migrations.add(M010CreateCalendars())
        migrations.add(M011CreateEvents())
        migrations.add(M012CreatePlanning())
        migrations.add(M013CreateTickets())
        migrations.add(M014CreateEscalation())
        migrations.add(M015CreateFollowUpRecords())
        migrations.add(M016CreateReports())
        migrations.add(M017CreateLinkKeys())
        migrations.add(M018ObjectScope())
        migrations.add(M019NeverReuseIDs())
        migrations.add(M020RunLeases())
        migrations.add(M021ListKeys())
        migrations.add(M022CreateReportRollups())
        migrations.add(M023RollupTriggersByIndex())
        migrations.add(M024TicketClocks())
        migrations.add(M025TicketTaskAgents())
        migrations.add(M026ConsentHistory())
        migrations.add(M027CustomerErasure())
        migrations.add(M028Retention())
        migrations.add(M029AgentRosters())
        migrations.add(M031JobHeartbeats())
        migrations.add(M032NotificationsByUser())
        migrations.add(M033NamedCodes())
        migrations.add(M035TasksByDeadline())
        migrations.add(M036Webhooks())
        migrations.add(M037Telephony())
    }
}
