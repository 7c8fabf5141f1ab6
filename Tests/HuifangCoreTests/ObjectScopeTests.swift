import Foundation
import HuifangCore
import Testing

@Suite struct ObjectScopeRuleTests {
    let me = UUID(), other = UUID(), department = UUID(), elsewhere = UUID()

    func viewer(_ role: Role, department: UUID? = nil) -> Viewer {
        Viewer(id: me, role: role, departmentID: department)
    }

    @Test func aHandlerSeesTheirDepartmentsTicketsAndThoseAssignedToThem() {
        let ours = TicketOwnership(departmentID: department)
        let theirs = TicketOwnership(departmentID: elsewhere)
        let mine = TicketOwnership(departmentID: elsewhere, handlerID: me)
        #expect(ObjectScope.maySee(ours, viewer(.handler, department: department)))
        #expect(!ObjectScope.maySee(theirs, viewer(.handler, department: department)))
        #expect(ObjectScope.maySee(mine, viewer(.handler, department: department)))
        #expect(!ObjectScope.maySee(TicketOwnership(), viewer(.handler)), "no department: only their own")
    }

    @Test func anAgentSeesTicketsTheyOpenedOnTheirTasksOrCustomersOrAssignedToThem() {
        let agent = viewer(.agent, department: department)
        #expect(ObjectScope.maySee(TicketOwnership(openedBy: me), agent))
        #expect(ObjectScope.maySee(TicketOwnership(taskAgentIDs: [other, me]), agent))
        #expect(ObjectScope.maySee(TicketOwnership(customerAgentID: me), agent))
        #expect(ObjectScope.maySee(TicketOwnership(handlerID: me), agent))
        #expect(
            !ObjectScope.maySee(
                TicketOwnership(openedBy: other, departmentID: department, taskAgentIDs: [other]), agent),
            "an agent does not see their department's tickets")
    }

    @Test func supervisorsAndAdminsSeeEverythingAndAnalystsNoSingleTicket() {
        let ticket = TicketOwnership(openedBy: other)
        #expect(ObjectScope.maySee(ticket, viewer(.supervisor)) && ObjectScope.maySee(ticket, viewer(.admin)))
        #expect(!ObjectScope.maySee(TicketOwnership(openedBy: me, handlerID: me), viewer(.analyst)))
    }

    @Test func verificationBelongsToTheVerificationTasksAgentOrASupervisor() {
        #expect(ObjectScope.mayVerify(verificationAgentID: me, viewer(.agent)))
        #expect(!ObjectScope.mayVerify(verificationAgentID: other, viewer(.agent)))
        #expect(!ObjectScope.mayVerify(verificationAgentID: nil, viewer(.handler)))
        #expect(ObjectScope.mayVerify(verificationAgentID: nil, viewer(.supervisor)))
        #expect(
            !ObjectScope.mayVerify(verificationAgentID: me, handlerID: me, viewer(.agent)),
            "nobody verifies their own handling")
        #expect(!ObjectScope.mayVerify(verificationAgentID: nil, handlerID: me, viewer(.supervisor)))
    }

    @Test func tasksSearchesAssignmentAndAttributes() {
        #expect(
            ObjectScope.maySeeTask(agentID: me, viewer(.agent))
                && !ObjectScope.maySeeTask(agentID: other, viewer(.agent)))
        #expect(
            !ObjectScope.maySeeTask(agentID: me, viewer(.handler))
                && ObjectScope.maySeeTask(agentID: other, viewer(.admin)))
        #expect(
            !ObjectScope.maySearchPartialNumbers(viewer(.agent))
                && !ObjectScope.maySearchPartialNumbers(viewer(.analyst)))
        #expect(ObjectScope.maySearchPartialNumbers(viewer(.handler)))
        #expect(!ObjectScope.mayAssignCustomers(viewer(.agent)) && ObjectScope.mayAssignCustomers(viewer(.supervisor)))
        #expect(!ObjectScope.seesEventAttributes(viewer(.analyst)) && ObjectScope.seesEventAttributes(viewer(.agent)))
        #expect(ObjectScope.seesContactDetails(customerAgentID: me, viewer(.agent)))
        #expect(!ObjectScope.seesContactDetails(customerAgentID: other, viewer(.agent)))
    }

    @Test func aCompletedFollowUpWithASurveyNeedsAnswersOrADecline() {
        let problem = SurveyRequirement.problem
        #expect(problem(.reached, true, false, false) == "record.problem.surveyRequired")
        #expect(problem(.reached, true, true, false) == nil)
        #expect(problem(.reached, true, false, true) == nil)
        #expect(problem(.reached, true, true, true) == "record.problem.declinedWithAnswers")
        #expect(problem(.noAnswer, true, false, true) == "record.problem.declinedNeedsReached")
        #expect(problem(.noAnswer, true, false, false) == nil, "an unreached attempt owes no answers")
        #expect(problem(.reached, false, false, false) == nil, "a task without a survey owes none")
    }
}
