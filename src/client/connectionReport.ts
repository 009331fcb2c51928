import type { Translate } from './errorMessages';
import type { ProbeResult } from './genosClient';

/** What Test Connection tells the user: one line for the notification, details for the log. */
export interface ConnectionReport {
  summary: string;
  details: string[];
}

const ms = (value: number | undefined) => (value === undefined ? '-' : Math.round(value));

/** Describes how a connection test reached GenOS: the path, TLS, the models, each step's time. */
export function connectionReport(probe: ProbeResult, t: Translate): ConnectionReport {
  const { trace, models } = probe;
  const route =
    trace.path === 'proxy'
      ? t('through the proxy {0} (from {1})', trace.proxy ?? '?', trace.proxySource ?? '?')
      : trace.path === 'direct'
        ? t('directly')
        : t("with VS Code's network settings");
  let security: string;
  if (!trace.tlsVersion) security = t('Plain http: the connection is not encrypted.');
  else if (trace.verified === false) {
    security = t(
      '{0}; the certificate of {1} was accepted WITHOUT verification.',
      trace.tlsVersion,
      trace.certificate?.subject ?? '?',
    );
  } else security = t('{0}, certificate issued by {1}.', trace.tlsVersion, trace.certificate?.issuer ?? '?');
  const found = models.length > 0 ? t('Models: {0}', models.join(', ')) : t('The serving lists no models.');
  const steps = t(
    'Steps: connected {0} ms, TLS {1} ms, response {2} ms, models read {3} ms.',
    ms(trace.connectedMs),
    ms(trace.secureMs),
    ms(probe.headersMs),
    ms(probe.totalMs),
  );
  const summary = `${t('Connected to GenOS in {0} ms {1}.', ms(probe.totalMs), route)} ${security} ${found}`;
  return { summary, details: [summary, steps] };
}
