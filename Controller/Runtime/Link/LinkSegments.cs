using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using Robotics.Controller.Shared;
using Robotics.Protos;

namespace Robotics.Controller.Link;

/// <summary>
/// The two files of a link, mapped: <c>PATH.loop</c>, written by the loop process and mapped read-only by the gateway,
/// and <c>PATH.gateway</c>, written by the gateway. Each side writes only its own, so nothing the gateway does can reach
/// the loop's tick ring or anything the recorder reads; what the loop reads of the gateway's it validates. Usually
/// under /dev/shm (memory, not disk). The loop creates both and removes them when it ends.
/// </summary>
public sealed unsafe class LinkSegments : IDisposable
{
    private readonly Mapping _loop;
    private readonly Mapping _gateway;
    private readonly bool _created;
    private GatewayFileReader? _gatewayReader;

    private LinkSegments(string path, LinkGeometry geometry, Mapping loop, Mapping gateway, bool created)
    {
        Path = path;
        Geometry = geometry;
        _loop = loop;
        _gateway = gateway;
        _created = created;
    }

    /// <summary>The link's path; the files are this plus ".loop" and ".gateway".</summary>
    public string Path { get; }

    public LinkGeometry Geometry { get; }

    /// <summary>The loop's segment (read-only in the gateway).</summary>
    public MemoryBlock Loop => _loop.Block;

    /// <summary>The gateway's segment.</summary>
    public MemoryBlock Gateway => _gateway.Block;

    /// <summary>
    /// The loop's reads of the gateway's segment (pread, never through the mapping: see <see cref="GatewayFileReader"/>);
    /// only on the loop's side, which made the segments.
    /// </summary>
    public GatewayFileReader GatewayReader => _gatewayReader ?? throw new InvalidOperationException("only the loop that made the link reads the gateway's file");

    public ref LinkHeader Header => ref Unsafe.AsRef<LinkHeader>(_loop.Block.Start);

    public ref GatewayPresence Presence => ref Unsafe.AsRef<GatewayPresence>(_gateway.Block.Start);

    public static string LoopFile(string path) => path + ".loop";

    public static string GatewayFile(string path) => path + ".gateway";

    /// <summary>
    /// Loop: creates both files (replacing those a loop that died left behind; refusing those of a loop still running),
    /// with the header filled in but not yet Ready: the caller writes the descriptor and then calls <see cref="MarkReady"/>.
    /// </summary>
    /// <param name="groupId">The gateway's group (<see cref="LinkAccess"/>), or null for the loop's user alone.</param>
    public static LinkSegments Create(string path, LinkGeometry geometry, ulong robotHash, int? groupId)
    {
        RemoveLeftovers(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        RefuseLiveLoop(path);
        var (loopMode, gatewayMode) = LinkAccess.Modes(groupId is not null);
        var loop = Mapping.Create(LoopFile(path), geometry.LoopBytes, loopMode, groupId);
        Mapping gateway;
        try
        {
            gateway = Mapping.Create(GatewayFile(path), geometry.GatewayBytes, gatewayMode, groupId);
        }
        catch
        {
            loop.Dispose(delete: true);
            throw;
        }
        var segments = new LinkSegments(path, geometry, loop, gateway, created: true)
        {
            _gatewayReader = new GatewayFileReader(GatewayFile(path), geometry),
        };
        ref var header = ref segments.Header;
        header.Magic = LinkHeader.ExpectedMagic;
        header.Version = LinkGeometry.Version;
        header.LoopBytes = geometry.LoopBytes;
        header.GatewayBytes = geometry.GatewayBytes;
        header.RobotHash = robotHash;
        header.Observations = geometry.Layout.Observations;
        header.Actions = geometry.Layout.Actions;
        header.HeadOutputs = geometry.Layout.HeadOutputs;
        header.TickCapacity = geometry.TickCapacity;
        header.EventCapacity = geometry.EventCapacity;
        header.RequestSlots = geometry.RequestSlots;
        header.DescriptorCapacity = geometry.DescriptorCapacity;
        header.LoopPid = Environment.ProcessId;
        header.CreatedNs = MonotonicClock.NowNs();
        return segments;
    }

    /// <summary>Loop: the segments may be attached to from now on.</summary>
    public void MarkReady() => Volatile.Write(ref Header.State, (int)LinkState.Ready);

    /// <summary>Loop: its run has ended; an attached gateway reports the robot down.</summary>
    public void MarkStopped() => Volatile.Write(ref Header.State, (int)LinkState.Stopped);

    /// <summary>
    /// Gateway: maps a loop's segments, checking before anything else is read that they are a link of this version,
    /// whole, and (with <paramref name="expectedRobotHash"/>) made for the expected robot.
    /// </summary>
    /// <exception cref="LinkMismatchException">Not a link, another version, another robot, or a file cut short.</exception>
    /// <exception cref="FileNotFoundException">No loop has created the link (yet).</exception>
    public static LinkSegments Open(string path, ulong? expectedRobotHash, Func<ulong, string>? describeRobot = null)
    {
        string loopFile = LoopFile(path);
        if (!File.Exists(loopFile))
        {
            throw new FileNotFoundException($"{loopFile}: no control loop has created this link (start `controller run ... --link {path}` first)", loopFile);
        }
        var loop = Mapping.Open(loopFile, writable: false);
        try
        {
            var header = loop.Block.Length >= Unsafe.SizeOf<LinkHeader>() ? Unsafe.AsRef<LinkHeader>(loop.Block.Start) : default;
            if (header.Magic != LinkHeader.ExpectedMagic)
            {
                throw new LinkMismatchException($"{loopFile} is not a control loop's link segment");
            }
            if (header.Version != LinkGeometry.Version)
            {
                throw new LinkMismatchException($"{loopFile} was made by a controller of link version {header.Version}; this gateway speaks version {LinkGeometry.Version}: run the gateway of the same controller build as the loop");
            }
            var geometry = LinkGeometry.From(header);
            if (geometry is null || geometry.LoopBytes != header.LoopBytes || geometry.GatewayBytes != header.GatewayBytes || loop.Block.Length < geometry.LoopBytes)
            {
                throw new LinkMismatchException($"{loopFile}: its header does not describe its contents (a damaged or truncated segment)");
            }
            if (expectedRobotHash is { } expected && expected != header.RobotHash)
            {
                throw new LinkMismatchException($"{loopFile} is the link of another robot{(describeRobot is null ? "" : " than " + describeRobot(expected))}: start the gateway for the robot the loop runs");
            }
            var gateway = Mapping.Open(GatewayFile(path), writable: true);
            if (gateway.Block.Length < geometry.GatewayBytes)
            {
                gateway.Dispose(delete: false);
                throw new LinkMismatchException($"{GatewayFile(path)} is {gateway.Block.Length} bytes; the link needs {geometry.GatewayBytes}");
            }
            return new LinkSegments(path, geometry, loop, gateway, created: false);
        }
        catch
        {
            loop.Dispose(delete: false);
            throw;
        }
    }

    /// <summary>The loop's state, as its header says.</summary>
    public LinkState State => (LinkState)Volatile.Read(ref Header.State);

    public void Dispose()
    {
        _gatewayReader?.Dispose();
        _gateway.Dispose(delete: _created);
        _loop.Dispose(delete: _created);
    }

    /// <summary>Removes both files (what is mapped stays readable until unmapped): a dead loop's link, removed by the gateway that saw it die.</summary>
    public void Remove()
    {
        File.Delete(LoopFile(Path));
        File.Delete(GatewayFile(Path));
    }

    private static void RefuseLiveLoop(string path)
    {
        if (!File.Exists(LoopFile(path)))
        {
            return;
        }
        int pid = LoopPidOf(LoopFile(path));
        if (pid != Environment.ProcessId && LoopProcess.IsAlive(pid))
        {
            throw new IOException($"{path}: the link of the control loop in process {pid}, which is still running: give this run another --link path");
        }
        File.Delete(LoopFile(path));
        File.Delete(GatewayFile(path));
    }

    /// <summary>
    /// Removes the links in <paramref name="folder"/> whose loops are gone (killed with their gateway, so nobody removed
    /// them): under /dev/shm each holds memory until the next boot. Links this user may not remove are left alone.
    /// </summary>
    private static void RemoveLeftovers(string folder)
    {
        foreach (string loopFile in Directory.EnumerateFiles(folder, "robotics-*.loop"))
        {
            int pid = LoopPidOf(loopFile);
            if (pid == 0 || pid == Environment.ProcessId || LoopProcess.IsAlive(pid))
            {
                continue;
            }
            try
            {
                File.Delete(loopFile);
                File.Delete(loopFile[..^".loop".Length] + ".gateway");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's: theirs to remove.
            }
        }
    }

    /// <summary>The loop process a link file names, or 0 when it is not a link (or cannot be read).</summary>
    private static int LoopPidOf(string loopFile)
    {
        try
        {
            // A link is a regular file at least a header long; anything else (a FIFO someone made, which would block
            // the open) is not looked into.
            var file = new FileInfo(loopFile);
            if (file.Attributes.HasFlag(FileAttributes.Directory) || file.Length < Unsafe.SizeOf<LinkHeader>())
            {
                return 0;
            }
            using var stream = File.OpenRead(loopFile);
            Span<byte> header = stackalloc byte[Unsafe.SizeOf<LinkHeader>()];
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                return 0;
            }
            var read = Unsafe.ReadUnaligned<LinkHeader>(ref header[0]);
            return read.Magic == LinkHeader.ExpectedMagic ? read.LoopPid : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// One mapped file. The mapping is never unmapped by hand: every ring and cell laid out in it holds this object
    /// (<see cref="MemoryBlock.Owner"/>), so the view's handle is released by the GC once the last of them is gone, and
    /// no thread still reading a ring can find its memory unmapped under it. Disposing removes the file.
    /// </summary>
    private sealed class Mapping
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly string _path;

        private Mapping(string path, MemoryMappedFile file, MemoryMappedViewAccessor view)
        {
            _path = path;
            _file = file;
            _view = view;
            // The view starts at the file's first byte (offset 0), page-aligned.
            byte* start = (byte*)view.SafeMemoryMappedViewHandle.DangerousGetHandle() + view.PointerOffset;
            Block = MemoryBlock.At(start, view.Capacity, this);
        }

        public MemoryBlock Block { get; }

        public static Mapping Create(string path, long bytes, UnixFileMode mode, int? groupId)
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }
            var stream = new FileStream(path, options);
            try
            {
                if (!OperatingSystem.IsWindows())
                {
                    // The create mode passes through the umask: set it as meant.
                    File.SetUnixFileMode(path, mode);
                }
                if (groupId is { } gid)
                {
                    LinkAccess.SetGroup(path, gid);
                }
                stream.SetLength(bytes);
                var file = MemoryMappedFile.CreateFromFile(stream, null, bytes, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
                return new Mapping(path, file, file.CreateViewAccessor(0, bytes, MemoryMappedFileAccess.ReadWrite));
            }
            catch
            {
                stream.Dispose();
                File.Delete(path);
                throw;
            }
        }

        public static Mapping Open(string path, bool writable)
        {
            var access = writable ? FileAccess.ReadWrite : FileAccess.Read;
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, access, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UnauthorizedAccessException($"{path}: this user may not {(writable ? "write" : "read")} it (the loop gives access with --link-group)", e);
            }
            long bytes = stream.Length;
            if (bytes == 0)
            {
                stream.Dispose();
                throw new LinkMismatchException($"{path} is empty: not a link segment");
            }
            var mapAccess = writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read;
            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, mapAccess, HandleInheritability.None, leaveOpen: false);
            return new Mapping(path, file, file.CreateViewAccessor(0, bytes, mapAccess));
        }

        public void Dispose(bool delete)
        {
            if (delete)
            {
                File.Delete(_path);
            }
            GC.KeepAlive(_file);
            GC.KeepAlive(_view);
        }
    }
}

/// <summary>A link segment this side cannot use: not a link, another version, another robot, damaged.</summary>
public sealed class LinkMismatchException(string message) : IOException(message);
