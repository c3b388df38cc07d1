package dev.agentsandbox.controller.claim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentsandbox.api.ClaimedSandbox;
import dev.agentsandbox.api.Labels;
import dev.agentsandbox.api.SandboxClaim;
import dev.agentsandbox.api.SandboxClaimStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimCommitsTest {

    /** Only the in-process part is used here: no write reaches the client. */
    final ClaimCommits commits = new ClaimCommits(new ClaimAnnotations(null));

    @Test
    void aClaimRecordsItsSandboxByAnnotationOrInItsStatus() {
        assertThat(ClaimCommits.recorded(claim(null, null))).isNull();
        assertThat(ClaimCommits.recorded(claim("cold-one", null))).isEqualTo("cold-one");
        assertThat(ClaimCommits.recorded(claim(null, "warm-one"))).isEqualTo("warm-one");
        // the annotation, once the stamp has written it, names the same Sandbox as the status; it is read first
        assertThat(ClaimCommits.recorded(claim("warm-one", "warm-one"))).isEqualTo("warm-one");
    }

    @Test
    void anAdoptionIsRememberedUntilTheClaimRecordsIt() {
        SandboxClaim unrecorded = claim(null, null);
        commits.adopted(unrecorded, "member-a");

        assertThat(commits.committedSandbox(unrecorded))
                .as("a reconcile before the claim cache shows the status")
                .isEqualTo("member-a");
        assertThat(commits.committedSandbox(claim(null, "member-a"))).isEqualTo("member-a");
        assertThat(commits.committedSandbox(unrecorded))
                .as("forgotten once the claim showed its record")
                .isNull();
    }

    @Test
    void theRecordOnTheClaimWinsOverAnAdoptionThisProcessRemembers() {
        // this process adopted member-b, but its status write met a claim that another reconcile had bound
        commits.adopted(claim(null, null), "member-b");

        assertThat(commits.committedSandbox(claim(null, "member-a"))).isEqualTo("member-a");
    }

    @Test
    void takingBackAnAdoptionTheClaimNeverRecordedWritesNothing() {
        SandboxClaim unrecorded = claim(null, null);
        commits.adopted(unrecorded, "member-a");

        // the client is null: a write would fail
        assertThat(commits.takeBack(unrecorded, "member-a")).isSameAs(unrecorded);
        assertThat(commits.committedSandbox(unrecorded)).isNull();
    }

    private static SandboxClaim claim(String annotation, String statusSandbox) {
        SandboxClaim claim = ClaimFixtures.claim("ns", "c", "pool");
        claim.getMetadata().setUid("uid-c");
        if (annotation != null) {
            claim.getMetadata().setAnnotations(Map.of(Labels.SANDBOX_NAME, annotation));
        }
        if (statusSandbox != null) {
            SandboxClaimStatus status = new SandboxClaimStatus();
            status.setSandbox(new ClaimedSandbox());
            status.getSandbox().setName(statusSandbox);
            claim.setStatus(status);
        }
        return claim;
    }
}
