import { LitElement, html, css } from 'lit';
import { JsonRpc } from 'jsonrpc';
import { notifier } from 'notifier';
import '@vaadin/button';
import '@vaadin/text-field';
import '@vaadin/text-area';

/**
 * The channels this application holds, live: named channels with their connections and history (pick one to see
 * its last events and send it a test event), and the stores of temporary channels with how many they hold.
 */
export class QwcSseChannelsChannels extends LitElement {

    jsonRpc = new JsonRpc(this);

    static styles = css`
        :host {
            display: flex;
            flex-direction: column;
            gap: 1em;
            padding: 0 1em 1em 1em;
        }
        table {
            border-collapse: collapse;
            width: 100%;
        }
        th, td {
            text-align: left;
            padding: 0.3em 0.8em;
            border-bottom: 1px solid var(--lumo-contrast-10pct);
        }
        td.number, th.number {
            text-align: right;
        }
        tr.channel {
            cursor: pointer;
        }
        tr.selected {
            background-color: var(--lumo-primary-color-10pct);
        }
        h3 {
            margin: 0.5em 0 0 0;
        }
        .send {
            display: flex;
            gap: 1em;
            align-items: baseline;
            flex-wrap: wrap;
        }
        pre {
            margin: 0;
            white-space: pre-wrap;
            font-size: var(--lumo-font-size-s);
        }
        .empty {
            color: var(--lumo-contrast-50pct);
        }`;

    static properties = {
        _channels: { state: true },
        _selected: { state: true },
        _events: { state: true },
        _eventName: { state: true },
        _data: { state: true }
    };

    constructor() {
        super();
        this._eventName = '';
        this._data = '';
        this._events = [];
    }

    connectedCallback() {
        super.connectedCallback();
        this.jsonRpc.getChannels().then(response => this._show(response.result));
        this._stream = this.jsonRpc.streamChannels().onNext(response => this._show(response.result));
    }

    disconnectedCallback() {
        this._stream.cancel();
        super.disconnectedCallback();
    }

    _show(channels) {
        this._channels = channels;
        const names = channels.named.map(c => c.name);
        if (!names.includes(this._selected)) {
            this._selected = names.length > 0 ? names[0] : undefined;
        }
        this._loadEvents();
    }

    _select(name) {
        this._selected = name;
        this._loadEvents();
    }

    _loadEvents() {
        if (!this._selected) {
            this._events = [];
            return;
        }
        const selected = this._selected;
        this.jsonRpc.getLastEvents({ channel: selected, count: 10 }).then(response => {
            if (selected === this._selected) {
                this._events = response.result;
            }
        });
    }

    _send() {
        this.jsonRpc.send({ channel: this._selected, event: this._eventName, data: this._data }).then(response => {
            if (response.result.sent) {
                notifier.showSuccessMessage(`Sent to ${this._selected}: ${response.result.id}`);
            } else {
                notifier.showErrorMessage(response.result.message);
            }
        });
    }

    render() {
        if (!this._channels) {
            return html`<span>Loading channels...</span>`;
        }
        return html`
            <span id="open">${this._channels.open} open connections</span>
            ${this._renderNamed()}
            ${this._renderStores()}
            ${this._renderSelected()}`;
    }

    _renderNamed() {
        if (this._channels.named.length === 0) {
            return html`<span class="empty">No named channel yet: they are made on first use.</span>`;
        }
        return html`
            <table id="named">
                <thead><tr>
                    <th>Channel</th><th class="number">Connections</th><th class="number">History</th>
                </tr></thead>
                <tbody>${this._channels.named.map(c => html`
                    <tr class="channel ${c.name === this._selected ? 'selected' : ''}" data-channel="${c.name}"
                        @click=${() => this._select(c.name)}>
                        <td>${c.name}</td>
                        <td class="number connections">${c.connections}</td>
                        <td class="number">${c.history} / ${c.capacity}</td>
                    </tr>`)}
                </tbody>
            </table>`;
    }

    _renderStores() {
        if (this._channels.stores.length === 0) {
            return html``;
        }
        return html`
            <table id="stores">
                <thead><tr>
                    <th>Temporary channels</th><th class="number">Channels</th><th class="number">Connections</th>
                </tr></thead>
                <tbody>${this._channels.stores.map(s => html`
                    <tr data-store="${s.name}">
                        <td>${s.name}</td>
                        <td class="number channels">${s.channels}</td>
                        <td class="number connections">${s.connections}</td>
                    </tr>`)}
                </tbody>
            </table>`;
    }

    _renderSelected() {
        if (!this._selected) {
            return html``;
        }
        return html`
            <h3>Send a test event to ${this._selected}</h3>
            <div class="send">
                <vaadin-text-field id="event-name" label="Event name" placeholder="message"
                    .value=${this._eventName} @value-changed=${e => this._eventName = e.detail.value}>
                </vaadin-text-field>
                <vaadin-text-area id="data" label="Data" .value=${this._data}
                    @value-changed=${e => this._data = e.detail.value}>
                </vaadin-text-area>
                <vaadin-button id="send" theme="primary" @click=${() => this._send()}>Send</vaadin-button>
            </div>
            <h3>Last events of ${this._selected}</h3>
            <table id="events">
                <thead><tr><th>Id</th><th>Frame</th></tr></thead>
                <tbody>${this._events.map(e => html`
                    <tr><td>${e.id}</td><td><pre>${e.frame}</pre></td></tr>`)}
                </tbody>
            </table>`;
    }
}
customElements.define('qwc-sse-channels-channels', QwcSseChannelsChannels);
