using System.Buffers.Text;
using System.Text;
using SnapshotService.Errors;

namespace SnapshotService.Paging;

/// <summary>
/// The paging rules every List method of the API shares: page_size 1..1000 with 0 meaning 100, and
/// opaque page tokens (base64url of <c>v1:</c> + a resume position the caller never interprets).
/// The <c>v1:</c> prefix lets a later format change reject old tokens precisely instead of
/// misreading them.
/// </summary>
public static class PageTokens
{
    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Page size used when the request says 0.</summary>
    public const int DefaultPageSize = 100;

    private const string Prefix = "v1:";

    /// <summary>Returns the effective page size, or throws InvalidArgument naming <paramref name="field"/>.</summary>
    public static int NormalizePageSize(int pageSize, string field = "page_size")
    {
        if (pageSize == 0)
        {
            return DefaultPageSize;
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw SnapshotServiceException.InvalidArgument(field, $"{field} {pageSize} is out of range; use 1..{MaxPageSize} (0 means {DefaultPageSize}).");
        }
        return pageSize;
    }

    /// <summary>Wraps a resume position into an opaque token.</summary>
    public static string Encode(string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Prefix + position));

    /// <summary>
    /// Unwraps a token made by <see cref="Encode"/>: null for an empty token (first page), else the
    /// position when <paramref name="isValid"/> accepts it; anything else is InvalidArgument naming <paramref name="field"/>.
    /// </summary>
    public static string? Decode(string? token, Func<string, bool> isValid, string field = "page_token")
    {
        ArgumentNullException.ThrowIfNull(isValid);
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && isValid(text[Prefix.Length..]))
            {
                return text[Prefix.Length..];
            }
        }
        catch (FormatException)
        {
            // Reported below, like any other malformed token.
        }
        throw SnapshotServiceException.InvalidArgument(field, $"{field} is malformed; pass the next_page_token of the previous response unchanged, or leave it empty for the first page.");
    }
}
