import HuifangCore
import Testing

/// A click-to-call link is the template with each placeholder replaced and every other character kept as written.
@Suite struct DialTemplateTests {
    let phone = PhoneNumber(normalised: "+8613800138000")

    @Test func theDefaultIsTheComputersOwnDialler() {
        #expect(DialTemplate.standard.url(for: phone) == "tel:+8613800138000")
    }

    @Test func placeholdersMayRepeatAndOtherBracesStayAsWritten() throws {
        let template = try DialTemplate("sip:{digits}@pbx.example.com;tag={x}&again={digits}{number}{")
        let expected = "sip:13800138000@pbx.example.com;tag={x}&again=13800138000+8613800138000{"
        #expect(template.url(for: phone) == expected)
    }

    @Test func aWebLinkEncodesThePlusSign() throws {
        let template = try DialTemplate("https://pbx.example.com/call?to={number}")
        #expect(template.url(for: phone) == "https://pbx.example.com/call?to=%2B8613800138000")
    }
}
