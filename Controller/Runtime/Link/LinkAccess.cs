using System.Runtime.InteropServices;

namespace Robotics.Controller.Link;

/// <summary>
/// Who may open a link's segments. By default only the loop's user (mode 0600): the gateway runs as the same user.
/// With a group, the loop segment is 0640 and the gateway segment 0660, both of that group: a gateway running as a user
/// of its own, alone in that group, reads the loop's segment and writes its own, and nobody else can do either.
/// </summary>
public static partial class LinkAccess
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The modes of the loop's and the gateway's segments.</summary>
    public static (UnixFileMode Loop, UnixFileMode Gateway) Modes(bool group) => group
        ? (OwnerOnly | UnixFileMode.GroupRead, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite)
        : (OwnerOnly, OwnerOnly);

    /// <summary>The group's id; throws naming the group when the system has none of that name.</summary>
    public static int GroupId(string group)
    {
        // /etc/group lines are name:password:gid:members (group(5)).
        foreach (string line in File.Exists("/etc/group") ? File.ReadLines("/etc/group") : [])
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && int.TryParse(fields[2], out int gid))
            {
                return gid;
            }
        }
        throw new ArgumentException($"--link-group: no group '{group}' on this system (create it with `groupadd {group}` and add the gateway's user to it)");
    }

    /// <summary>Gives <paramref name="path"/> to group <paramref name="gid"/>, keeping its owner.</summary>
    public static void SetGroup(string path, int gid)
    {
        if (Chown(path, -1, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new UnauthorizedAccessException($"{path}: cannot give it to group {gid}: {Marshal.GetPInvokeErrorMessage(errno)} (the loop's user must be in that group)");
        }
    }

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, int owner, int group);
}
