using System.Text.RegularExpressions;
using Robotics.Tests.Support;

namespace Robotics.Tests.Docs;

/// <summary>
/// Every relative link in README.md and docs/ leads somewhere: the file exists, and a #section names a heading of that
/// file (as GitHub makes anchors from headings). A newcomer who follows a dead link stops trusting the rest.
/// </summary>
public sealed partial class DocLinkTests
{
    public static TheoryData<string> Pages => [.. Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md")
        .Append(Path.Combine(RepoPaths.Root, "README.md"))
        .Select(path => Path.GetRelativePath(RepoPaths.Root, path))];

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_leads_to_a_file_and_a_heading_that_exist(string page)
    {
        string path = Path.Combine(RepoPaths.Root, page);
        var dead = new List<string>();
        foreach (Match link in Link().Matches(File.ReadAllText(path)))
        {
            string target = link.Groups["target"].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }
            string[] parts = target.Split('#', 2);
            string file = parts[0].Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, parts[0]));
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                dead.Add($"{target}: no such file");
            }
            else if (parts.Length == 2 && File.Exists(file) && !Anchors(file).Contains(parts[1]))
            {
                dead.Add($"{target}: {Path.GetFileName(file)} has no heading with that anchor");
            }
        }

        Assert.True(dead.Count == 0, $"{page}: " + string.Join("; ", dead));
    }

    /// <summary>GitHub's anchors: a heading lowercased, its punctuation dropped, its spaces made hyphens.</summary>
    private static HashSet<string> Anchors(string file) =>
        [.. File.ReadLines(file).Where(line => line.StartsWith('#')).Select(line =>
            string.Concat(line.TrimStart('#').Trim().ToLowerInvariant()
                .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_'))
            .Replace(' ', '-'))];

    // [text](target) outside code spans is close enough here: the docs put no links in code.
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();
}
