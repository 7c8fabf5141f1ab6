extension Catalogue {
    /// The API reference page (`/api-docs`), read from the OpenAPI document.
    static let apiDocs: [String: (zh: String, en: String)] = [
        "apiDocs.title": ("API 接口文档", "API reference"),
        "apiDocs.intro": (
            "其他系统通过 /api/v1 接口读写回访数据，每个请求带 Authorization: Bearer 令牌（系统管理员在“用户”中创建）。"
                + "下面每个接口的参数、请求体和各种响应都来自 OpenAPI 3.1 文档；测试会检查文档与实际接口一致。",
            "Other systems read and write Huifang through /api/v1, each request with an Authorization: Bearer token "
                + "(admins create them under Users). Each operation's parameters, body and responses below come from "
                + "the OpenAPI 3.1 document; the tests check that the document and the API agree."
        ),
        "apiDocs.download": ("下载 openapi.json", "Download openapi.json"),
        "apiDocs.version": ("版本", "version"),
        "apiDocs.index": ("接口目录", "Operations"),
        "apiDocs.public": ("无需用户令牌", "No user token needed"),
        "apiDocs.parameters": ("参数（* 为必填）", "Parameters (* required)"),
        "apiDocs.name": ("名称", "Name"),
        "apiDocs.in": ("位置", "In"),
        "apiDocs.type": ("类型", "Type"),
        "apiDocs.note": ("说明", "Note"),
        "apiDocs.body": ("请求体", "Body"),
        "apiDocs.responses": ("响应", "Responses"),
        "apiDocs.schemas": ("数据结构", "Schemas"),
        "problem.trueOrFalse": ("应为 true 或 false", "must be true or false"),
        "error.methodNotAllowed": ("此地址不接受这种请求方法", "This address does not take this method"),
    ]
}
