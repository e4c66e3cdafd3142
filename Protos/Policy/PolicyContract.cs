namespace Robotics.Protos.Policy;

/// <summary>
/// The policy file contract between the trainer, which exports it, and the controller, which runs it: one
/// ONNX model taking raw observations and returning actions in raw units, with normalization inside the
/// graph and everything the controller checks before running it in the model's metadata_props.
/// </summary>
public static class PolicyContract
{
    /// <summary>Input: float32 [N, obs_dim], observations in raw units (the robot config's order).</summary>
    public const string ObservationInput = "obs";

    /// <summary>Gaussian output: float32 [N, act_dim], the action mean in raw action units.</summary>
    public const string MeanOutput = "mean";

    /// <summary>Gaussian output: float32 [N, act_dim], log σ in raw action units (clamped in the graph).</summary>
    public const string LogStdOutput = "log_std";

    /// <summary>Categorical output: float32 [N, n_actions], unnormalized log-probabilities.</summary>
    public const string LogitsOutput = "logits";

    /// <summary>Gaussian mixture output: float32 [N, K], the components' unnormalized log weights.</summary>
    public const string MixtureLogitsOutput = "mixture_logits";

    /// <summary>Gaussian mixture output: float32 [N, K·act_dim], each component's mean in raw action units, component by component.</summary>
    public const string ComponentMeansOutput = "component_means";

    /// <summary>Gaussian mixture output: float32 [N, K·act_dim], each component's log σ in raw action units (clamped in the graph).</summary>
    public const string ComponentLogStdsOutput = "component_log_stds";

    /// <summary>
    /// Ensemble output (files with <see cref="Keys.EnsembleMembers"/>): float32 [N, 1], how much the members' means
    /// disagree: their variance per action dimension over the training action variance, averaged over dimensions
    /// (ThriftyDAgger's novelty). An ensemble's <see cref="MeanOutput"/> and <see cref="LogStdOutput"/> are the
    /// moments of the equal-weight mixture of its members' Gaussians.
    /// </summary>
    public const string NoveltyOutput = "novelty";

    /// <summary>Values of <see cref="Keys.Kind"/>.</summary>
    public const string GaussianKind = "gaussian";

    /// <inheritdoc cref="GaussianKind"/>
    public const string CategoricalKind = "categorical";

    /// <inheritdoc cref="GaussianKind"/>
    public const string GaussianMixtureKind = "gaussian_mixture";

    /// <summary>Values of <see cref="Keys.HelpUncertainty"/>.</summary>
    public const string MaxNormalizedSigma = "max_normalized_sigma";

    /// <inheritdoc cref="MaxNormalizedSigma"/>
    public const string NormalizedEntropy = "normalized_entropy";

    /// <inheritdoc cref="MaxNormalizedSigma"/>
    public const string ModeMaxNormalizedSigma = "mode_max_normalized_sigma";

    /// <summary>Metadata keys (ONNX ModelProto.metadata_props). Values are strings; lists and numbers are JSON.</summary>
    public static class Keys
    {
        /// <summary>Version of this contract the file follows; see <see cref="PolicyContract.Version"/>.</summary>
        public const string ContractVersion = "robotics.contract_version";

        /// <summary>"gaussian", "categorical" or "gaussian_mixture".</summary>
        public const string Kind = "robotics.kind";

        /// <summary>The robot the policy was trained for, e.g. "sim:reach".</summary>
        public const string Robot = "robotics.robot";

        /// <summary>JSON array of observation entry names, in input order.</summary>
        public const string ObservationNames = "robotics.observation_names";

        /// <summary>JSON array of action entry names, in output order.</summary>
        public const string ActionNames = "robotics.action_names";

        /// <summary>JSON array of discrete action names (categorical policies).</summary>
        public const string DiscreteActionNames = "robotics.discrete_action_names";

        /// <summary>JSON arrays of the lower and upper action limits seen by the trainer, raw units.</summary>
        public const string ActionLow = "robotics.action_low";

        /// <inheritdoc cref="ActionLow"/>
        public const string ActionHigh = "robotics.action_high";

        /// <summary>The control rate of the training data, in hertz.</summary>
        public const string ControlRateHz = "robotics.control_rate_hz";

        /// <summary>JSON arrays: the observation normalization statistics baked into the graph.</summary>
        public const string ObservationMean = "robotics.obs_mean";

        /// <inheritdoc cref="ObservationMean"/>
        public const string ObservationStd = "robotics.obs_std";

        /// <summary>JSON array: the training action standard deviation, which normalizes σ for help requests.</summary>
        public const string ActionStd = "robotics.action_std";

        /// <summary>Normalized σ (σ / training action std) above which the controller asks for help.</summary>
        public const string HelpThreshold = "robotics.help_sigma_threshold";

        /// <summary>
        /// The share of held-out ticks expected above <see cref="HelpThreshold"/>, and above each of
        /// <see cref="HelpNoveltyThreshold"/> and <see cref="HelpObservationZThreshold"/>.
        /// </summary>
        public const string HelpRate = "robotics.help_target_rate";

        /// <summary>
        /// What <see cref="HelpThreshold"/> measures: "max_normalized_sigma" (Gaussian: the largest σ over action
        /// dimensions divided by that dimension's training std), "normalized_entropy" (categorical: entropy / log K)
        /// or "mode_max_normalized_sigma" (Gaussian mixture: the same as Gaussian, of the most likely component).
        /// </summary>
        public const string HelpUncertainty = "robotics.help_uncertainty";

        /// <summary>
        /// Ensemble: how many networks (K, 2 or more) the file averages; absent for a single network. An ensemble has
        /// the <see cref="NoveltyOutput"/> output and a <see cref="HelpNoveltyThreshold"/>.
        /// </summary>
        public const string EnsembleMembers = "robotics.ensemble_members";

        /// <summary>Ensemble: the novelty (<see cref="NoveltyOutput"/>) above which the controller asks for help.</summary>
        public const string HelpNoveltyThreshold = "robotics.help_novelty_threshold";

        /// <summary>
        /// The observation's largest |z| from the training statistics above which the controller asks for help; files
        /// without it get the controller's fixed default (6).
        /// </summary>
        public const string HelpObservationZThreshold = "robotics.help_observation_z_threshold";

        /// <summary>Gaussian mixture: how many components (K), which sizes its outputs.</summary>
        public const string MixtureComponents = "robotics.mixture_components";

        /// <summary>Hash of the training data, to trace a policy back to its dataset.</summary>
        public const string DatasetFingerprint = "robotics.dataset_fingerprint";

        /// <summary>JSON object of validation metrics (NLL, action MSE, accuracy).</summary>
        public const string ValidationMetrics = "robotics.validation_metrics";

        /// <summary>JSON object: the training run's resolved settings.</summary>
        public const string TrainingConfig = "robotics.training_config";

        /// <summary>Version of the trainer that wrote the file.</summary>
        public const string TrainerVersion = "robotics.trainer_version";

        /// <summary>
        /// Lowercase hex SHA-256 of the serialized model without this entry; see <see cref="PolicyDigest"/>. Checked
        /// at load when present; files exported before it existed load with a warning.
        /// </summary>
        public const string ContentDigest = "robotics.content_sha256";
    }

    /// <summary>The most networks an ensemble file may average (<see cref="Keys.EnsembleMembers"/>): each costs a network's inference per tick.</summary>
    public const int MaxEnsembleMembers = 16;

    /// <summary>The contract version this code writes and accepts.</summary>
    public const int Version = 1;
}
