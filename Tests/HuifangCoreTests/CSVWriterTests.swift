import HuifangCore
import Testing

@Suite struct CSVWriterTests {
    @Test func textThatASpreadsheetWouldRunAsAFormulaIsPrefixedWithAQuote() {
        // setup
        let dangerous = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
        // MUT
        let fields = dangerous.map { CSVWriter.field(.text($0)) }
        // validation
        #expect(fields == ["\"'=HYPERLINK(\"\"http://x\"\")\"", "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1", "\"'\r=1\""])
    }

    @Test func ordinaryTextAndNumbersAreLeftAlone() {
        #expect(CSVWriter.field("王一") == "王一")
        #expect(CSVWriter.field("a=b") == "a=b")
        #expect(CSVWriter.field(.number(-20)) == "-20")
        #expect(CSVWriter.field(.text("-20")) == "'-20", "a negative number as text is neutralised like any text")
    }

    @Test func onlyAWholeNumberInItsPlainFormIsInferredAsANumber() {
        #expect(CSVCell.inferred("-20") == .number(-20))
        #expect(CSVCell.inferred("42") == .number(42))
        #expect(CSVCell.inferred("+5") == .text("+5"))
        #expect(CSVCell.inferred("-1+1") == .text("-1+1"))
        #expect(CSVCell.inferred("007") == .text("007"))
    }

    @Test func fieldsWithCommasQuotesOrLineBreaksAreQuotedAndLinesEndInCRLF() {
        // MUT
        let document = CSVWriter.document([["a,b", "say \"hi\"", "two\nlines"], [.number(1), "x"]])
        // validation
        #expect(document == "\u{FEFF}\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n1,x\r\n")
        #expect(CSVWriter.document(text: [["a"]], byteOrderMark: false) == "a\r\n")
    }
}
