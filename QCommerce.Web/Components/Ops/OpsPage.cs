using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Core.Stores;
using QCommerce.Web.Components.Shared;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Components.Ops;

/// <summary>
/// What every ops page shares: the signed-in member of staff (read fresh for each action, so a lock or a change of stores
/// stops them at once), the store chosen in the URL (<c>?store=st_2</c>, kept within their stores), the store list for the
/// switcher, and one way to run an action that shows its outcome in a snackbar or names the problem.
/// </summary>
public abstract class OpsPage : ComponentBase
{
    [CascadingParameter] private Task<AuthenticationState> Auth { get; set; } = null!;
    [Inject] protected StaffDirectory Directory { get; set; } = null!;
    [Inject] protected StoreDirectory StoreDirectory { get; set; } = null!;
    [Inject] protected ISnackbar Snackbar { get; set; } = null!;
    [Inject] protected ILogger<OpsPage> Logger { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;
    [Inject] private ChangeFeed LiveFeed { get; set; } = null!;

    [SupplyParameterFromQuery(Name = "store")] public string? StoreQuery { get; set; }

    protected StaffActor? Staff { get; private set; }
    protected IReadOnlyList<StoreSummary> Stores { get; set; } = [];

    /// <summary>The store the URL names, if the staff member works there; else all their stores.</summary>
    protected int? StoreId { get; private set; }

    /// <summary>Set while an action runs: buttons are disabled, so a double click is one action.</summary>
    protected bool Busy { get; private set; }

    /// <summary>The last action's refusals by field ("title", "skus[0].barcode"), for forms to show beside each field.</summary>
    protected IReadOnlyDictionary<string, string[]> FieldErrors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>The refusal of one field, or null.</summary>
    protected string? ErrorOf(string field) => FieldErrors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            Staff ??= await Directory.RequireAsync((await Auth).User);
        }
        catch (AccessDeniedException)
        {
            // Locked or demoted since the cookie was issued: the role check let the request in, the staff record does not.
            Navigation.NavigateTo("/account/access-denied", forceLoad: true);
            return;
        }
        if (Stores.Count == 0) Stores = await StoreDirectory.ListAsync();
        StoreId = PublicId.TryParse(PublicId.Store, StoreQuery, out var id) && Staff.CanSee(id) ? id : null;
        await LoadAsync();
    }

    /// <summary>The member of staff as the directory says now: for an action that does not go through <see cref="RunAsync"/>.</summary>
    protected async Task<StaffActor> StaffNowAsync() => Staff = await Directory.RequireAsync((await Auth).User);

    /// <summary>
    /// Follows <paramref name="changes"/> live (<see cref="LiveUpdates"/>), asking the staff directory who is watching before each
    /// refresh: a colleague locked or demoted since the page opened sees nothing more of it, and is shown the refusal.
    /// </summary>
    protected LiveUpdates FollowLive(IReadOnlyCollection<Change> changes, Func<CancellationToken, Task> refresh, string what) =>
        LiveUpdates.Follow(LiveFeed, changes, async ct =>
        {
            try
            {
                await StaffNowAsync();
            }
            catch (AccessDeniedException)
            {
                await InvokeAsync(RefuseAccess);
                return;
            }
            await refresh(ct);
        }, Logger, what);

    /// <summary>Locked or demoted while the page was open: the refusal page, with the cookie's session ended by a full load.</summary>
    protected void RefuseAccess()
    {
        _refused = true;
        Navigation.NavigateTo("/account/access-denied", forceLoad: true);
    }

    private bool _refused;

    /// <summary>Reads what the page shows, for <see cref="Staff"/> and <see cref="StoreId"/>; called again after each action.</summary>
    protected abstract Task LoadAsync();

    protected string StoreName(int storeId) => Stores.FirstOrDefault(s => s.Id == storeId)?.Name ?? "?";

    protected StoreSummary? Store(int storeId) => Stores.FirstOrDefault(s => s.Id == storeId);

    /// <summary>
    /// Runs one staff action: staff read again first, the outcome said in a snackbar (the problem itself when refused, the
    /// fields' messages for bad input), the page reloaded either way. Returns whether it succeeded.
    /// </summary>
    protected async Task<bool> RunAsync(Func<StaffActor, Task> action, string done)
    {
        if (Busy) return false;
        Busy = true;
        FieldErrors = new Dictionary<string, string[]>();
        try
        {
            await action(await StaffNowAsync());
            Snackbar.Add(done, Severity.Success);
            return true;
        }
        catch (AccessDeniedException)
        {
            // Locked or demoted since the page opened: nothing more of it is shown to them.
            RefuseAccess();
            return false;
        }
        catch (RequestRejectedException rejected)
        {
            FieldErrors = rejected.Errors;
            Snackbar.Add(string.Join(" ", rejected.Errors.SelectMany(e => e.Value)), Severity.Error);
            return false;
        }
        catch (DomainException refused)
        {
            Snackbar.Add(refused.Message, Severity.Error);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Never a dead page: the person is told, the operator gets the exception.
            Logger.LogError(ex, "Ops action on {Page} failed unexpectedly", GetType().Name);
            Snackbar.Add("That did not work, for a reason of ours (it is logged). The page shows where things stand now; try again in a moment.", Severity.Error);
            return false;
        }
        finally
        {
            Busy = false;
            try
            {
                if (!_refused) await LoadAsync();
            }
            catch (Exception ex)
            {
                Logger.LogWarning(ex, "Reloading {Page} after an action failed", GetType().Name);
            }
            StateHasChanged();
        }
    }
}
