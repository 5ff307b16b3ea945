using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Options;
using QCommerce.Core.Messages;
using QCommerce.Web.Components.Mail;

namespace QCommerce.Web.Messages;

/// <summary>
/// Renders a message's content with its Razor component (<see cref="OrderMailView"/>, <see cref="AccountMailView"/>)
/// outside any request, through Blazor's <see cref="HtmlRenderer"/>; the text part is read from the HTML, so the two
/// never say different things.
/// </summary>
public sealed class MailRenderer(IServiceScopeFactory scopes, ILoggerFactory loggers, IOptions<MailOptions> options) : IMailRenderer
{
    public async Task<RenderedMail> RenderAsync(MailContent content, CancellationToken ct)
    {
        var (component, subject, parameters) = content switch
        {
            OrderMailContent order => (typeof(OrderMailView), OrderMailView.Subject(order, options.Value),
                new Dictionary<string, object?> { [nameof(OrderMailView.Content)] = order, [nameof(OrderMailView.Options)] = options.Value }),
            AccountMailContent account => (typeof(AccountMailView), AccountMailView.Subject(account),
                new Dictionary<string, object?> { [nameof(AccountMailView.Content)] = account, [nameof(AccountMailView.Options)] = options.Value }),
            _ => throw new ArgumentException($"No message renders {content.GetType().Name}.", nameof(content)),
        };
        ct.ThrowIfCancellationRequested();
        // A scope of its own: the renderer resolves scoped services (Blazor's activity source), which the root must not hold.
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync(component, ParameterView.FromDictionary(parameters))).ToHtmlString());
        return new RenderedMail(subject, html, MailText.FromHtml(html));
    }
}
