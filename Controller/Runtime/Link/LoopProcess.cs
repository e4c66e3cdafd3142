namespace Robotics.Controller.Link;

/// <summary>Whether the process that made a link still runs: in /proc and not a zombie waiting for its parent to reap it.</summary>
public static class LoopProcess
{
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }
        try
        {
            // /proc/PID/stat: "pid (comm) S ...": the state follows the last ')' (proc(5)); Z is a zombie, X dead.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int end = stat.LastIndexOf(')');
            return end > 0 && end + 2 < stat.Length && stat[end + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // Another user's process (a gateway of its own user looking at the loop's): it is there.
            return true;
        }
    }
}
