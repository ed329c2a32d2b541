import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// Webhooks, for the chief editor: the list, a new one (its address checked by `Outbound` as deliveries will be; its
/// signing secret shown once, on the answer to the form), removing one, and the latest deliveries with the
/// receivers' answers. The rules and audit rows are `WebhookRepository`'s; this page translates forms
/// (CSRF-checked by `NewsroomMiddleware`).
struct WebhooksController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let hooks: WebhookRepository
    let settings: SettingsRepository

    static let path = "/newsroom/webhooks"
    /// Every secret starts so, to be recognised by secret scanners.
    static let secretPrefix = "whsec_"

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("webhooks", use: list)
        group.post("webhooks", use: create)
        group.post("webhooks/{id}/remove", use: remove)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        guard context.newsroom.session != nil else { return try await pages.signInFirst() }
        return try await page(session: try await chief(context))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let session = try await chief(context)
        let form = context.newsroom.form ?? FormQuery(nil)
        let url = (form.all("url").first ?? "").trimmingCharacters(in: .whitespaces)
        let events = Set(form.all("event").compactMap(WebhookEvent.init(rawValue:)))
        guard !events.isEmpty else {
            return try await page(session: session, message: t["nr_hooks_error_events"], status: .unprocessableContent)
        }
        do {
            let allowPrivate = try await settings.value(WebhookDelivery.allowPrivateKey) == "on"
            _ = try await Outbound.check(url, policy: Outbound.Policy(allowPrivate: allowPrivate))
        } catch let failure as Outbound.Failure {
            return try await page(session: session, message: "\(t["nr_hooks_error_url"]) \(failure)", status: .unprocessableContent)
        }
        let secret = Self.secretPrefix + SecureToken.make()
        do {
            _ = try await hooks.create(
                url: url, events: events, secret: secret, by: ArticleWriter(userID: session.user.id, role: session.user.role),
                now: pages.now())
        } catch WebhookError.notAllowed {
            throw HTTPError(.forbidden)
        } catch let error as WebhookError {
            return try await page(session: session, message: "\(t["nr_hooks_error_url"]) \(error)", status: .unprocessableContent)
        }
        var response = try await page(session: session, newSecret: secret)
        // The secret is on this page only: no cache, no history copy.
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let session = try await chief(context)
        guard let id = context.parameters.get("id", as: Int.self) else { throw HTTPError(.notFound) }
        do {
            try await hooks.remove(id: id, by: ArticleWriter(userID: session.user.id, role: session.user.role), now: pages.now())
        } catch WebhookError.notAllowed {
            throw HTTPError(.forbidden)
        } catch WebhookError.noSuchWebhook {
            throw HTTPError(.notFound)
        }
        return try await page(session: session, info: t["nr_hooks_removed"])
    }

    private func chief(_ context: Context) async throws -> NewsroomSession {
        guard let session = context.newsroom.session else { throw HTTPError(.unauthorized) }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        return session
    }

    private func eventName(_ event: WebhookEvent) -> String {
        "\(event.rawValue) (\(t["nr_hooks_event_" + event.rawValue.replacingOccurrences(of: ".", with: "_")]))"
    }

    private func page(
        session: NewsroomSession, newSecret: String? = nil, info: String? = nil, message: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let dates = pages.dates
        let view = WebhooksPage(
            layout: pages.layout(t["nr_hooks_title"], session), csrf: session.csrf, newSecret: newSecret,
            hooks: try await hooks.list().map { hook in
                WebhookRowView(
                    url: hook.url, events: hook.events.sorted().map(eventName).joined(separator: ", "),
                    created: dates.dateLine(hook.createdAt),
                    removeURL: "\(Self.path)/\(hook.id)/remove")
            },
            events: WebhookEvent.allCases.map { NewsroomOption(value: $0.rawValue, label: eventName($0), selected: $0 == .published) },
            deliveries: try await hooks.deliveries().map { delivery in
                let answer =
                    delivery.lastStatus.map { "HTTP \($0) \(delivery.lastResponse ?? "")" } ?? delivery.lastError ?? t["nr_hooks_no_answer"]
                return WebhookDeliveryView(
                    url: delivery.url, event: delivery.event, created: dates.dateLine(delivery.createdAt),
                    state: t["nr_hooks_state_" + delivery.status], attempts: String(delivery.attempts), answer: answer,
                    next: delivery.status == "queued" && delivery.attempts > 0 ? dates.dateLine(delivery.nextAttemptAt) : nil)
            },
            off: Outbound.isAvailable ? nil : t["nr_hooks_off"],
            privateAllowed: try await settings.value(WebhookDelivery.allowPrivateKey) == "on", message: message, info: info)
        return try pages.render("nr-webhooks", view, status: status)
    }
}
