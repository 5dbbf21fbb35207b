import { Token } from 'aws-cdk-lib';
import { PropsValidator } from './private/validation';

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
const ORIGIN = /^https?:\/\/[^/\s*?#]+$/;

/**
 * Which web pages may load recordings from a `RecordingPlayback` with a script (an HLS player in a browser, on another
 * origin than the distribution's): the CORS origins CloudFront allows. Native players (Safari, iOS, Android) need none.
 */
export class PlaybackCors {
  /** No cross-origin access: only native players, and pages served from the distribution itself, play the recordings. */
  public static none(): PlaybackCors {
    return new PlaybackCors([], false);
  }

  /**
   * Pages of these origins (`https://app.example.com`, with a port if not the default) may play the recordings. `*` is
   * refused here: use `allowAnyOrigin()` to mean it.
   */
  public static allowOrigins(...origins: string[]): PlaybackCors {
    return new PlaybackCors(origins, false);
  }

  /**
   * Any web page may play the recordings (`Access-Control-Allow-Origin: *`). Unless the distribution also requires
   * signed URLs or cookies (`trustedKeyGroups`), anyone who learns a recording's URL can embed it.
   */
  public static allowAnyOrigin(): PlaybackCors {
    return new PlaybackCors(['*'], true);
  }

  private constructor(private readonly origins: string[], private readonly anyOrigin: boolean) {}

  /**
   * The origins CloudFront allows (`*` for any); empty for none.
   *
   * @internal
   */
  public _origins(): string[] {
    return [...this.origins];
  }

  /**
   * Records each origin that is not `scheme://host[:port]`, naming it `prop`.
   *
   * @internal
   */
  public _validate(validator: PropsValidator, prop: string): void {
    if (this.anyOrigin) {
      return;
    }
    this.origins.forEach((origin, index) => {
      if (Token.isUnresolved(origin)) {
        return;
      }
      const hint = origin === '*' ? ' (for any origin, use PlaybackCors.allowAnyOrigin())' : ' (scheme, host and optional port, no path)';
      validator.check(ORIGIN.test(origin), `\`${prop}\` origin ${index} must be an origin such as https://app.example.com${hint}, got ${JSON.stringify(origin)}`);
    });
  }
}
